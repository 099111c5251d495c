/**
 * Sign-in: email and password; or, when the address carries `#link=<token>` (a one-time link
 * for the first owner or an invited colleague), choosing a password, which signs in. The token
 * stays in the fragment, which browsers never send to servers, and leaves the address bar at once.
 */
import {
  Anchor,
  Button,
  Container,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import { type Session, sessionQuery, signIn, signInWithLink } from '../api/session';
import { ErrorNotice } from '../shared/states';

function linkTokenOf(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('link');
  return token && token.length > 0 ? token : null;
}

const MIN_PASSWORD = 10;

export function SignInPage() {
  const search = useSearch({ from: '/sign-in' });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [linkToken] = useState(() => {
    const token = linkTokenOf(window.location.hash);
    if (token)
      window.history.replaceState(
        window.history.state,
        '',
        window.location.pathname + window.location.search,
      );
    return token;
  });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [storeId, setStoreId] = useState<string | null>(null);
  const [needsStore, setNeedsStore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function signedIn(session: Session) {
    queryClient.setQueryData(sessionQuery.queryKey, session);
    if (search.next) await navigate({ href: search.next, replace: true });
    else await navigate({ to: '/', replace: true });
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (linkToken) {
      if (password.length < MIN_PASSWORD) {
        setError(new Error(`Choose a password of at least ${MIN_PASSWORD} characters.`));
        return;
      }
      if (password !== confirm) {
        setError(new Error('The two passwords differ. Type the same password twice.'));
        return;
      }
    }
    setBusy(true);
    try {
      const session = linkToken
        ? await signInWithLink({ token: linkToken, password })
        : await signIn({ email: email.trim(), password, ...(storeId ? { storeId } : {}) });
      await signedIn(session);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'store_required') setNeedsStore(true);
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Container size={420} py={48} component="main">
      <Title order={1} size="h2" ta="center" tabIndex={-1} data-page-title>
        {linkToken ? 'Choose your password' : 'Sign in to Backfill'}
      </Title>
      <Text c="dimmed" size="sm" ta="center" mt={6}>
        {linkToken
          ? 'This one-time link signs you in once you have chosen a password.'
          : 'The console of your store’s backorders.'}
      </Text>
      <Paper withBorder shadow="sm" p="lg" mt="lg" radius="md">
        <form onSubmit={onSubmit} noValidate aria-label={linkToken ? 'Choose a password' : 'Sign in'}>
          <Stack>
            {error !== null && (
              <ErrorNotice error={error} title={linkToken ? 'Password not set' : 'Not signed in'} />
            )}
            {!linkToken && (
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                autoFocus
              />
            )}
            <PasswordInput
              label={linkToken ? 'New password' : 'Password'}
              description={linkToken ? `At least ${MIN_PASSWORD} characters` : undefined}
              autoComplete={linkToken ? 'new-password' : 'current-password'}
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoFocus={Boolean(linkToken)}
            />
            {linkToken && (
              <PasswordInput
                label="Repeat the password"
                autoComplete="new-password"
                required
                value={confirm}
                onChange={(e) => setConfirm(e.currentTarget.value)}
              />
            )}
            {needsStore && !linkToken && (
              <TextInput
                label="Store id"
                description="Your email has accounts in several stores: give the store's id (st_…)."
                value={storeId ?? ''}
                onChange={(e) => setStoreId(e.currentTarget.value || null)}
              />
            )}
            <Button type="submit" loading={busy} fullWidth>
              {linkToken ? 'Set password and sign in' : 'Sign in'}
            </Button>
          </Stack>
        </form>
      </Paper>
      <Text size="sm" c="dimmed" ta="center" mt="md">
        No account yet? The store’s owner invites you from Settings; the first owner’s link is printed by{' '}
        <code>backfill store create</code>. Integrations use the{' '}
        <Anchor href="/docs" size="sm">
          API
        </Anchor>
        .
      </Text>
    </Container>
  );
}
