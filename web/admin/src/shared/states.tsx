/** What a page shows while loading, when empty, and when a call failed (in words, with a retry). */
import { Alert, Button, Group, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Loading({ label }: { label: string }) {
  return (
    <Group gap="sm" py="xl" role="status" aria-live="polite">
      <Loader size="sm" aria-hidden />
      <Text c="dimmed">{label}</Text>
    </Group>
  );
}

export function ErrorNotice({
  error,
  onRetry,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  const message =
    error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong.';
  const fields = error instanceof ApiError ? error.fields : [];
  return (
    <Alert color="red" variant="light" title={title ?? 'That did not work'} role="alert">
      <Stack gap="xs">
        <Text size="sm">{message}</Text>
        {fields.length > 0 && (
          <ul>
            {fields.map((f) => (
              <li key={`${f.path}:${f.message}`}>
                <Text size="sm">
                  {f.path ? <code>{f.path}</code> : null} {f.message}
                </Text>
              </li>
            ))}
          </ul>
        )}
        {onRetry && (
          <Group>
            <Button size="xs" variant="white" color="red" onClick={onRetry}>
              Try again
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

/** An empty list or page: what it is, and what to do next. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Stack align="flex-start" gap="xs" py="xl" px="md" bg="gray.0" style={{ borderRadius: 8 }}>
      <Title order={3} size="h4">
        {title}
      </Title>
      <Text c="dimmed" size="sm" component="div">
        {children}
      </Text>
      {action}
    </Stack>
  );
}
