/**
 * Overview: the store's backorders at a glance (GET /v1/overview), kept current by the live event
 * stream (GET /v1/live) without reloading; and waiting units by age.
 */
import { Badge, Group, Paper, SimpleGrid, Skeleton, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useCallback, useMemo } from 'react';
import { formatAge, formatCount, formatMoney, formatTime } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { PageTitle } from '../shared/PageTitle';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { AGE_BUCKETS, unitsByAge } from './ages';
import { POLL_MS, useLive } from './live';
import { overviewFigures, waitingLines } from './source';

const AgeChart = lazy(() => import('./AgeChart'));

function Figure({
  label,
  value,
  detail,
  to,
  tone,
}: {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  to?: ReactNode;
  tone?: 'alert';
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={label}>
      <Text size="sm" c="dimmed" fw={500}>
        {label}
      </Text>
      <Text fz={28} fw={700} c={tone === 'alert' ? 'red.9' : undefined} data-figure={label}>
        {value}
      </Text>
      {detail && (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      )}
      {to}
    </Paper>
  );
}

export function OverviewPage() {
  const queryClient = useQueryClient();
  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: ['overview'] });
  }, [queryClient]);
  const live = useLive(refresh);
  const overview = useQuery({
    ...overviewFigures,
    refetchInterval: live === 'live' ? false : POLL_MS,
  });
  const ages = useQuery({
    queryKey: ['overview', 'ages'],
    queryFn: () => waitingLines(),
    refetchInterval: live === 'live' ? false : POLL_MS,
  });
  const now = new Date();
  const counts = useMemo(() => (ages.data ? unitsByAge(ages.data.lines, new Date()) : null), [ages.data]);

  const liveBadge = (
    <Tooltip
      label={
        live === 'live'
          ? 'Figures update as soon as something changes'
          : live === 'polling'
            ? `No live stream from the server: refreshed every ${POLL_MS / 1000} s`
            : 'Connecting to the live stream…'
      }
    >
      <Badge
        color={live === 'live' ? 'green' : 'gray'}
        variant="light"
        autoContrast
        role="status"
        aria-label={
          live === 'live' ? 'Live' : live === 'polling' ? 'Refreshed every 10 seconds' : 'Connecting'
        }
        tabIndex={0}
      >
        {live === 'live' ? '● Live' : live === 'polling' ? `Every ${POLL_MS / 1000} s` : 'Connecting…'}
      </Badge>
    </Tooltip>
  );

  if (overview.isPending)
    return (
      <>
        <PageTitle actions={liveBadge}>Overview</PageTitle>
        <Loading label="Loading the figures…" />
      </>
    );
  if (overview.isError)
    return (
      <>
        <PageTitle actions={liveBadge}>Overview</PageTitle>
        <ErrorNotice error={overview.error} onRetry={() => void overview.refetch()} />
      </>
    );
  const o = overview.data;
  const nothingWaits = o.waitingUnits === 0;

  return (
    <>
      <PageTitle actions={liveBadge} description={`As of ${formatTime(o.asOf)}`}>
        Overview
      </PageTitle>
      {nothingWaits && (
        <EmptyState title="Nothing is waiting" action={null}>
          No order waits for stock right now. Orders for SKUs that allow backorders or pre-orders queue here
          when stock runs out; set a variant’s mode with PUT /v1/variants/&#123;sku&#125; (the Variants page
          is coming).
        </EmptyState>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} mt="md" spacing="md">
        <Figure
          label="Waiting units"
          value={formatCount(o.waitingUnits)}
          detail={`in ${formatCount(o.waitingOrders)} order${o.waitingOrders === 1 ? '' : 's'}`}
          to={
            <AnchorLink to="/backorders" size="sm">
              See the queues
            </AnchorLink>
          }
        />
        <Figure
          label="Oldest wait"
          value={o.oldestWaitingSince ? formatAge(o.oldestWaitingSince, now) : '—'}
          detail={o.oldestWaitingSince ? `since ${formatTime(o.oldestWaitingSince)}` : 'nobody waits'}
        />
        <Figure
          label="Promises at risk"
          value={formatCount(o.atRiskLines)}
          tone={o.atRiskLines > 0 ? 'alert' : undefined}
          detail="lines past their latest likely date or behind a late purchase order"
          to={
            o.atRiskLines > 0 ? (
              <AnchorLink to="/backorders" search={{ risk: 'late' }} size="sm">
                See the late lines
              </AnchorLink>
            ) : undefined
          }
        />
        <Figure
          label="Late purchase orders"
          value={formatCount(o.latePurchaseOrders)}
          tone={o.latePurchaseOrders > 0 ? 'alert' : undefined}
          detail="ordered, past their expected date"
          to={
            o.latePurchaseOrders > 0 ? (
              <AnchorLink to="/purchase-orders" size="sm">
                See purchase orders
              </AnchorLink>
            ) : undefined
          }
        />
        <Figure
          label="Prepaid money held"
          value={formatMoney(o.prepaidHeld.amount, o.prepaidHeld.currency)}
          detail="collected for units not shipped yet"
        />
        <Figure
          label="Messages failed today"
          value={formatCount(o.messagesFailedToday)}
          tone={o.messagesFailedToday > 0 ? 'alert' : undefined}
          detail="emails, SMS and webhooks given up since midnight"
        />
        <Figure
          label="Filled today"
          value={formatCount(o.filledToday.units)}
          detail={`units reached by stock since midnight, in ${formatCount(o.filledToday.lines)} line${o.filledToday.lines === 1 ? '' : 's'}`}
        />
      </SimpleGrid>

      <Paper withBorder p="md" radius="md" mt="lg" component="section" aria-labelledby="ages-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="ages-title">
            Waiting units by age
          </Title>
          {ages.data && !ages.data.complete && (
            <Text size="xs" c="dimmed">
              first {formatCount(ages.data.lines.length)} lines
            </Text>
          )}
        </Group>
        {ages.isError ? (
          <ErrorNotice error={ages.error} onRetry={() => void ages.refetch()} />
        ) : !counts ? (
          <Loading label="Loading the queue…" />
        ) : nothingWaits ? (
          <Text size="sm" c="dimmed">
            No waiting units.
          </Text>
        ) : (
          <>
            <Suspense fallback={<Skeleton height={220} />}>
              <AgeChart counts={counts} />
            </Suspense>
            <Table mt="sm" fz="sm" maw={360} aria-label="Waiting units by age">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Waiting for</Table.Th>
                  <Table.Th scope="col" ta="right">
                    Units
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {AGE_BUCKETS.map((bucket, i) => (
                  <Table.Tr key={bucket.label}>
                    <Table.Th scope="row" fw={400}>
                      {bucket.label}
                    </Table.Th>
                    <Table.Td ta="right">{formatCount(counts[i] ?? 0)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
      </Paper>
    </>
  );
}
