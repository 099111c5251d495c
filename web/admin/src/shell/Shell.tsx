/**
 * The signed-in layout: header (store, who is signed in, sign out), navigation to the eight page
 * areas the signed-in role may open (a drawer under 48 em), and the page, or a plain refusal when
 * the role may not open the page asked for (a typed or bookmarked address). After each navigation, focus moves to the page's
 * heading so screen-reader and keyboard users start at the new content.
 */
import { AppShell, Burger, Button, Group, Text, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { sessionQuery, signOut } from '../api/session';
import { NavLinkLink } from '../shared/links';
import { AREAS, areaOf, canOpen } from './areas';
import { Forbidden } from './Forbidden';

function isCurrent(areaPath: string, pathname: string): boolean {
  return areaPath === '/' ? pathname === '/' : pathname === areaPath || pathname.startsWith(`${areaPath}/`);
}

export function Shell() {
  const session = useQuery(sessionQuery).data;
  const [opened, { toggle, close }] = useDisclosure(false);
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const resolvedPathname = useRouterState({ select: (s) => s.resolvedLocation?.pathname });
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const first = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation (pathname)
  useEffect(() => {
    close();
    if (first.current) {
      first.current = false;
      return;
    }
    // The page's heading may arrive with its lazily loaded chunk: try for a moment.
    let tries = 0;
    const timer = setInterval(() => {
      const heading = document.querySelector<HTMLElement>('main [data-page-title]');
      if (heading || ++tries > 20) {
        clearInterval(timer);
        heading?.focus({ preventScroll: false });
      }
    }, 50);
    return () => clearInterval(timer);
  }, [pathname, close]);

  async function onSignOut() {
    await signOut().catch(() => undefined);
    await navigate({ to: '/sign-in' });
    queryClient.clear();
    queryClient.setQueryData(sessionQuery.queryKey, null);
  }

  // Signed out (here or elsewhere): the router is on its way to the sign-in page.
  if (!session) return null;
  const role = session.staff.role;
  // While a navigation loads, the page on screen is still the one it leaves: neither may be an area
  // the role cannot open (a forbidden page must never render, not even for a moment).
  const refused = [pathname, resolvedPathname]
    .map((path) => (path === undefined ? undefined : areaOf(path)))
    .find((area) => area !== undefined && !canOpen(area, role));

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
              aria-expanded={opened}
              aria-controls="console-navigation"
            />
            <Text fw={700} c="blue.9">
              Backfill
            </Text>
            <Text truncate="end" c="dimmed" size="sm" data-testid="store-name">
              {session.store.name}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="sm" truncate="end" maw={260}>
              {session.staff.name || session.staff.email}
              <VisuallyHidden>, {session.staff.role}</VisuallyHidden>
            </Text>
            <Button variant="default" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" id="console-navigation" aria-label="Console">
        {AREAS.filter((area) => canOpen(area, role)).map((area) => {
          const current = isCurrent(area.path, pathname);
          return (
            <NavLinkLink
              key={area.path}
              // AREAS holds plain paths; each is a route of the typed tree.
              to={area.path as '/'}
              label={area.label}
              active={current}
              aria-current={current ? 'page' : undefined}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {refused ? <Forbidden area={refused} role={role} /> : <Outlet />}
      </AppShell.Main>
    </AppShell>
  );
}
