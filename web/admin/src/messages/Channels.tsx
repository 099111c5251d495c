/**
 * The store's channels: email (an SMTP server, or the built-in outbox that keeps messages in the
 * log), SMS (a Twilio-compatible API, or the outbox), when messages go out, and "send a test"
 * through the channel as it is now. Secrets are shown masked by the server and never come back.
 */
import {
  Alert,
  Button,
  Group,
  NumberInput,
  Paper,
  PasswordInput,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { api, data } from '../api/client';
import type { MessagingPatch, MessagingSettings } from '../api/messaging';
import { AnchorLink } from '../shared/links';
import { ErrorNotice, Loading } from '../shared/states';
import { messageQuery, StateBadge } from './MessageView';

type Choice = 'off' | 'outbox' | 'real';

export const messagingQuery = {
  queryKey: ['messaging-settings'],
  queryFn: () => data(api.GET('/v1/settings/messaging')),
};

function choiceOf(channel: MessagingSettings['email'] | MessagingSettings['sms']): Choice {
  if (channel === null) return 'off';
  return channel.channel === 'outbox' ? 'outbox' : 'real';
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Title order={3} size="h4" id={id} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

export function Channels() {
  const settings = useQuery(messagingQuery);
  if (settings.isPending) return <Loading label="Loading the channels…" />;
  if (settings.isError) return <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} />;
  return (
    <Stack gap="lg">
      <ChannelsForm settings={settings.data} />
      <TestSend settings={settings.data} />
    </Stack>
  );
}

function ChannelsForm({ settings }: { settings: MessagingSettings }) {
  const queryClient = useQueryClient();
  const smtp = settings.email && settings.email.channel === 'smtp' ? settings.email : null;
  const sms = settings.sms && settings.sms.channel === 'api' ? settings.sms : null;
  const [emailChoice, setEmailChoice] = useState<Choice>(choiceOf(settings.email));
  const [smtpUrl, setSmtpUrl] = useState('');
  const [from, setFrom] = useState(smtp?.from ?? '');
  const [replyTo, setReplyTo] = useState(smtp?.replyTo ?? '');
  const [smsChoice, setSmsChoice] = useState<Choice>(choiceOf(settings.sms));
  const [smsFields, setSmsFields] = useState({
    baseUrl: sms?.baseUrl ?? 'https://api.twilio.com',
    accountSid: sms?.accountSid ?? '',
    authToken: '',
    from: sms?.from ?? '',
  });
  const [quiet, setQuiet] = useState(settings.quietHours !== null);
  const [quietStart, setQuietStart] = useState(settings.quietHours?.start ?? '21:00');
  const [quietEnd, setQuietEnd] = useState(settings.quietHours?.end ?? '08:00');
  const [statusUpdateDays, setStatusUpdateDays] = useState<number | string>(settings.statusUpdateDays);
  const [delayNoticeDays, setDelayNoticeDays] = useState<number | string>(settings.delayNoticeDays);
  const [merchantEmail, setMerchantEmail] = useState(settings.merchantEmail ?? '');
  const [saved, setSaved] = useState(false);

  function patchOf(): MessagingPatch {
    const patch: MessagingPatch = {
      quietHours: quiet ? { start: quietStart, end: quietEnd } : null,
      statusUpdateDays: Number(statusUpdateDays),
      delayNoticeDays: Number(delayNoticeDays),
      merchantEmail: merchantEmail.trim() === '' ? null : merchantEmail.trim(),
    };
    // A real channel whose secret fields are left empty stays as it is.
    if (emailChoice === 'off') patch.email = null;
    else if (emailChoice === 'outbox') patch.email = { channel: 'outbox' };
    else if (!(smtp && smtpUrl.trim() === ''))
      patch.email = { smtpUrl: smtpUrl.trim(), from: from.trim(), replyTo: replyTo.trim() || null };
    if (smsChoice === 'off') patch.sms = null;
    else if (smsChoice === 'outbox') patch.sms = { channel: 'outbox' };
    else if (!(sms && smsFields.authToken === ''))
      patch.sms = { ...smsFields, baseUrl: smsFields.baseUrl.trim() };
    return patch;
  }
  const save = useMutation({
    mutationFn: () => data(api.PATCH('/v1/settings/messaging', { body: patchOf() })),
    onSuccess: (next) => {
      queryClient.setQueryData(messagingQuery.queryKey, next);
      setSaved(true);
    },
  });
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    save.mutate();
  }

  return (
    <form onSubmit={onSubmit} aria-label="Channels">
      <Stack gap="lg">
        <Section title="Email">
          <Radio.Group
            value={emailChoice}
            onChange={(v) => setEmailChoice(v as Choice)}
            label="Send email through"
          >
            <Stack gap={6} mt={6}>
              <Radio
                value="outbox"
                label="The built-in outbox: kept in the message log, not sent (for trying Backfill)"
              />
              <Radio value="real" label="An SMTP server" />
              <Radio value="off" label="No email" />
            </Stack>
          </Radio.Group>
          {emailChoice === 'real' && (
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="sm">
              <TextInput
                label="SMTP server URL"
                placeholder="smtps://user:password@smtp.example:465"
                description={
                  smtp ? `Now ${smtp.smtpUrl}. Leave empty to keep the server and sender.` : undefined
                }
                required={!smtp}
                value={smtpUrl}
                onChange={(e) => setSmtpUrl(e.currentTarget.value)}
                autoComplete="off"
              />
              <TextInput
                label="Sender"
                placeholder="Shop <orders@shop.example>"
                required={!smtp || smtpUrl !== ''}
                value={from}
                onChange={(e) => setFrom(e.currentTarget.value)}
              />
              <TextInput
                label="Reply-to (optional)"
                type="email"
                value={replyTo}
                onChange={(e) => setReplyTo(e.currentTarget.value)}
              />
            </SimpleGrid>
          )}
        </Section>
        <Section title="Text messages (SMS)">
          <Radio.Group
            value={smsChoice}
            onChange={(v) => setSmsChoice(v as Choice)}
            label="Send text messages through"
          >
            <Stack gap={6} mt={6}>
              <Radio value="outbox" label="The built-in outbox: kept in the message log, not sent" />
              <Radio value="real" label="An SMS provider (Twilio or a compatible API)" />
              <Radio value="off" label="No text messages" />
            </Stack>
          </Radio.Group>
          {smsChoice === 'real' && (
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="sm">
              <TextInput
                label="API base URL"
                required
                value={smsFields.baseUrl}
                onChange={(e) => setSmsFields({ ...smsFields, baseUrl: e.currentTarget.value })}
              />
              <TextInput
                label="Account SID"
                required
                value={smsFields.accountSid}
                onChange={(e) => setSmsFields({ ...smsFields, accountSid: e.currentTarget.value })}
              />
              <PasswordInput
                label="Auth token"
                description={
                  sms ? `Now ${sms.authToken}. Leave empty to keep the account as it is.` : undefined
                }
                required={!sms}
                value={smsFields.authToken}
                onChange={(e) => setSmsFields({ ...smsFields, authToken: e.currentTarget.value })}
                autoComplete="off"
              />
              <TextInput
                label="Sender number or name"
                required
                value={smsFields.from}
                onChange={(e) => setSmsFields({ ...smsFields, from: e.currentTarget.value })}
              />
            </SimpleGrid>
          )}
        </Section>
        <Section title="When messages go out">
          <Stack gap="sm">
            <Switch
              label="Quiet hours: hold updates at night (confirmations and other transactional messages still go)"
              checked={quiet}
              onChange={(e) => setQuiet(e.currentTarget.checked)}
            />
            {quiet && (
              <Group gap="sm">
                <TextInput
                  label="From"
                  type="time"
                  value={quietStart}
                  onChange={(e) => setQuietStart(e.currentTarget.value)}
                  w={130}
                />
                <TextInput
                  label="Until"
                  type="time"
                  value={quietEnd}
                  onChange={(e) => setQuietEnd(e.currentTarget.value)}
                  w={130}
                />
              </Group>
            )}
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NumberInput
                label="Status update every (days)"
                description="To shoppers still waiting; 0 = no updates"
                min={0}
                max={365}
                value={statusUpdateDays}
                onChange={setStatusUpdateDays}
              />
              <NumberInput
                label="Delay notice after a move of (days)"
                description="When a shopper's date moves at least this far"
                min={1}
                max={365}
                value={delayNoticeDays}
                onChange={setDelayNoticeDays}
              />
              <TextInput
                label="Daily digest to (optional)"
                description="Your email, for a summary of the day"
                type="email"
                value={merchantEmail}
                onChange={(e) => setMerchantEmail(e.currentTarget.value)}
              />
            </SimpleGrid>
          </Stack>
        </Section>
        {save.isError && <ErrorNotice error={save.error} title="Not saved" />}
        {saved && (
          <Alert color="green" variant="light" role="status">
            Channels saved.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save channels
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** "Send a test": queued at once, followed until the worker has sent it (or the channel refused it). */
function TestSend({ settings }: { settings: MessagingSettings }) {
  const [channel, setChannel] = useState<'email' | 'sms'>(settings.email || !settings.sms ? 'email' : 'sms');
  const [to, setTo] = useState('');
  const send = useMutation({
    mutationFn: () => data(api.POST('/v1/settings/messaging/test', { body: { channel, to } })),
  });
  const sentId = send.data?.id;
  const followed = useQuery({
    ...messageQuery(sentId ?? ''),
    enabled: sentId !== undefined,
    refetchInterval: (q) =>
      !q.state.data || ['queued', 'sending'].includes(q.state.data.state) ? 1000 : false,
  });
  const message = followed.data ?? send.data;
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    send.mutate();
  }
  const setUp = channel === 'email' ? settings.email !== null : settings.sms !== null;
  return (
    <Section title="Send a test">
      <form onSubmit={onSubmit} aria-label="Send a test">
        <Text size="sm" c="dimmed" mb="sm">
          One short message through the channel as it is saved now, to check it works.
        </Text>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Select
            label="Channel"
            value={channel}
            onChange={(v) => v && setChannel(v as 'email' | 'sms')}
            allowDeselect={false}
            data={[
              { value: 'email', label: 'Email' },
              { value: 'sms', label: 'SMS' },
            ]}
            w={120}
          />
          <TextInput
            label={channel === 'email' ? 'Send to (email)' : 'Send to (phone number)'}
            placeholder={channel === 'email' ? 'you@shop.example' : '+15550100'}
            required
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            style={{ flex: '1 1 220px', maxWidth: 360 }}
          />
          <Button type="submit" loading={send.isPending} disabled={!setUp}>
            Send a test
          </Button>
        </Group>
        {!setUp && (
          <Text size="sm" mt="xs" c="dimmed">
            Set up this channel above (or choose the built-in outbox) and save first.
          </Text>
        )}
        {send.isError && <ErrorNotice error={send.error} title="Not sent" />}
        {message && (
          <Alert
            mt="sm"
            variant="light"
            color={message.state === 'sent' ? 'green' : message.state === 'failed' ? 'red' : 'blue'}
            role="status"
            title="Test message"
          >
            <Group gap="xs" wrap="wrap">
              <StateBadge state={message.state} />
              <Text size="sm">
                {message.state === 'sent'
                  ? `Sent to ${message.recipient}.`
                  : message.state === 'failed' || message.state === 'suppressed'
                    ? `Not sent: ${message.lastError ?? 'see the message'}`
                    : message.lastError
                      ? `Not sent yet (it will be retried): ${message.lastError}`
                      : 'On its way…'}
              </Text>
              <AnchorLink to="/messages" search={{ message: message.id }} size="sm">
                Open it in the log
              </AnchorLink>
            </Group>
          </Alert>
        )}
      </form>
    </Section>
  );
}
