import { Anchor, Text } from '@mantine/core';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState } from '../shared/states';
import type { Area } from './areas';

/** A page area that is not built yet: what it will hold, and how to do it today. */
export function Coming({ area }: { area: Area }) {
  return (
    <>
      <PageTitle>{area.label}</PageTitle>
      <EmptyState title="Coming to the console">
        <Text size="sm" mb="xs">
          {area.coming?.summary}
        </Text>
        <Text size="sm">
          {area.coming?.meanwhile}{' '}
          <Anchor href="/docs" size="sm">
            Open the API reference
          </Anchor>
          .
        </Text>
      </EmptyState>
    </>
  );
}
