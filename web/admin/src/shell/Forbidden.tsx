import { List, Text } from '@mantine/core';
import type { Role } from '../api/session';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState } from '../shared/states';
import { AREAS, type Area, canOpen } from './areas';

const ROLE_WORDS: Record<Role, string> = {
  owner: 'owner',
  ops: 'operations',
  support: 'customer support',
};

/** A page the signed-in role may not open (typed or bookmarked address): said plainly, with the way on. */
export function Forbidden({ area, role }: { area: Area; role: Role }) {
  const open = AREAS.filter((a) => canOpen(a, role));
  return (
    <>
      <PageTitle>{area.label}</PageTitle>
      <EmptyState title="Your role cannot open this">
        <Text size="sm" mb="xs">
          You are signed in with the {ROLE_WORDS[role]} role, and {area.label} is not part of it. A store
          owner can change your role in Settings, under Staff.
        </Text>
        <Text size="sm">Pages your role opens:</Text>
        <List size="sm" mt={4}>
          {open.map((a) => (
            <List.Item key={a.path}>
              {/* The areas' paths are not all in the typed route tree. */}
              <AnchorLink to={a.path as '/'}>{a.label}</AnchorLink>
            </List.Item>
          ))}
        </List>
      </EmptyState>
    </>
  );
}
