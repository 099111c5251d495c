import { Group, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A page's heading: the target of focus after each navigation (see shell/Shell.tsx). */
export function PageTitle({
  children,
  description,
  actions,
}: {
  children: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <Group justify="space-between" align="flex-end" mb="lg" wrap="wrap" gap="sm">
      <div>
        <Title order={1} size="h2" tabIndex={-1} data-page-title>
          {children}
        </Title>
        {description && (
          <Text c="dimmed" size="sm" mt={4}>
            {description}
          </Text>
        )}
      </div>
      {actions}
    </Group>
  );
}
