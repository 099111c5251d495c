/**
 * The links in shoppers' messages (GET/PATCH /v1/settings/messaging): the public address they
 * open, how long they work, rotating the secret that signs them, and whether refunds are promised.
 * The channels themselves are on the Messages page.
 */
import {
  Alert,
  Button,
  Group,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, data } from '../api/client';
import type { MessagingPatch, MessagingSettings } from '../api/messaging';
import { formatTime } from '../shared/format';
import { AnchorLink } from '../shared/links';
import { ErrorNotice, Loading } from '../shared/states';

const messagingQuery = {
  queryKey: ['messaging-settings'],
  queryFn: () => data(api.GET('/v1/settings/messaging')),
};

export function LinksSettings() {
  const settings = useQuery(messagingQuery);
  if (settings.isPending) return <Loading label="Loading the messaging settings…" />;
  if (settings.isError) return <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} />;
  return <LinksForm settings={settings.data} />;
}

function LinksForm({ settings }: { settings: MessagingSettings }) {
  const queryClient = useQueryClient();
  const [publicUrl, setPublicUrl] = useState(settings.publicUrl ?? '');
  const [lifetime, setLifetime] = useState<number | string>(settings.linkLifetimeDays);
  const [grace, setGrace] = useState<number | string>(settings.linkSecretGraceDays);
  const [refunds, setRefunds] = useState(settings.refundsAutomatic);
  const [done, setDone] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: MessagingPatch) => data(api.PATCH('/v1/settings/messaging', { body })),
    onSuccess: (next, body) => {
      queryClient.setQueryData(messagingQuery.queryKey, next);
      setDone(body.rotateLinkSecret ? 'A new secret signs links from now on.' : 'Saved.');
    },
    onMutate: () => setDone(null),
  });
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      publicUrl: publicUrl.trim() === '' ? null : publicUrl.trim(),
      linkLifetimeDays: Number(lifetime),
      linkSecretGraceDays: Number(grace),
      refundsAutomatic: refunds,
    });
  }
  return (
    <Stack gap="lg" maw={720}>
      <Text size="sm" c="dimmed">
        Shoppers' messages carry links to their order page (track, cancel, switch). Email and SMS channels are
        under{' '}
        <AnchorLink to="/messages" search={{ tab: 'channels' }}>
          Messages › Channels
        </AnchorLink>
        .
      </Text>
      {done && (
        <Alert color="green" variant="light" role="status">
          {done}
        </Alert>
      )}
      {save.isError && <ErrorNotice error={save.error} title="Not saved" />}
      <form onSubmit={onSubmit} aria-label="Messaging links">
        <Stack gap="sm">
          <TextInput
            label="Public address of this server"
            description="What shoppers' links open, e.g. https://orders.shop.example"
            type="url"
            value={publicUrl}
            onChange={(e) => setPublicUrl(e.currentTarget.value)}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label="Links work for (days)"
              min={1}
              max={365}
              value={lifetime}
              onChange={setLifetime}
            />
            <NumberInput
              label="After a new secret, old links work for (days)"
              min={0}
              max={365}
              value={grace}
              onChange={setGrace}
            />
          </SimpleGrid>
          <Switch
            label="My platform refunds cancellations by itself (messages may promise a refund)"
            checked={refunds}
            onChange={(e) => setRefunds(e.currentTarget.checked)}
          />
          <Group>
            <Button type="submit" loading={save.isPending && !save.variables?.rotateLinkSecret}>
              Save links
            </Button>
          </Group>
        </Stack>
      </form>
      <Paper withBorder p="md" radius="md">
        <Text size="sm" fw={600}>
          The secret that signs links
        </Text>
        <Text size="sm" c="dimmed" mb="sm">
          {settings.linkSecretRotatedAt ? `Last replaced ${formatTime(settings.linkSecretRotatedAt)}. ` : ''}
          {settings.previousLinkSecretValidUntil
            ? `Links signed before then work until ${formatTime(settings.previousLinkSecretValidUntil)}.`
            : 'Replace it if links may have leaked: links already sent keep working for the days above.'}
        </Text>
        <Button
          variant="default"
          onClick={() => save.mutate({ rotateLinkSecret: true })}
          loading={save.isPending && save.variables?.rotateLinkSecret === true}
        >
          Replace the link secret
        </Button>
      </Paper>
    </Stack>
  );
}
