/**
 * Message templates (Liquid): pick one, edit it, and the preview beside it follows as you type
 * (the draft is rendered with sample data by POST /v1/message-templates/preview, 400 ms after the
 * last keystroke). Saving checks it first; "Use the default" drops the store's own version.
 */
import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import {
  keepPreviousData,
  type UseQueryResult,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ApiError, api, data } from '../api/client';
import type { MessageTemplate, RenderedTemplate } from '../api/messaging';
import { formatTime } from '../shared/format';
import { EmptyState, ErrorNotice, Loading } from '../shared/states';
import { EmailFrame, TextBody } from './MessageView';
import { kindWords } from './words';

interface Draft {
  subject: string;
  body: string;
  html: string;
}

const keyOf = (t: Pick<MessageTemplate, 'kind' | 'channel'>) => `${t.kind}/${t.channel}`;
const draftOf = (t: MessageTemplate): Draft => ({
  subject: t.subject ?? '',
  body: t.body,
  html: t.html ?? '',
});

export function Templates({ canEdit }: { canEdit: boolean }) {
  const templates = useQuery({
    queryKey: ['message-templates'],
    queryFn: () => data(api.GET('/v1/message-templates')),
  });
  const [selected, setSelected] = useState<string | null>(null);
  // Kept here: a save gives the editor a fresh template (and a fresh state).
  const [notice, setNotice] = useState<string | null>(null);
  const list = templates.data?.data ?? [];
  const current = list.find((t) => keyOf(t) === selected) ?? list[0];

  if (templates.isPending) return <Loading label="Loading templates…" />;
  if (templates.isError)
    return <ErrorNotice error={templates.error} onRetry={() => void templates.refetch()} />;
  if (!current)
    return (
      <EmptyState title="No templates">The server offers no message templates: check its version.</EmptyState>
    );
  return (
    <Stack gap="md">
      <Select
        label="Template"
        value={keyOf(current)}
        onChange={(value) => {
          if (!value) return;
          setSelected(value);
          setNotice(null);
        }}
        allowDeselect={false}
        searchable
        data={list.map((t) => ({
          value: keyOf(t),
          label: `${kindWords(t.kind)} · ${t.channel === 'email' ? 'Email' : 'SMS'}${t.source === 'custom' ? ' (yours)' : ''}`,
        }))}
        maw={420}
      />
      {notice && (
        <Alert
          color="green"
          variant="light"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setNotice(null)}
        >
          {notice}
        </Alert>
      )}
      <Editor
        key={`${keyOf(current)}:${current.updatedAt}`}
        template={current}
        canEdit={canEdit}
        onNotice={setNotice}
      />
    </Stack>
  );
}

function Editor({
  template,
  canEdit,
  onNotice,
}: {
  template: MessageTemplate;
  canEdit: boolean;
  onNotice: (notice: string | null) => void;
}) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(template));
  const [debounced] = useDebouncedValue(draft, 400);
  const email = template.channel === 'email';
  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(draftOf(template)), [draft, template]);

  const body = (d: Draft) => ({
    body: d.body,
    ...(email ? { subject: d.subject, html: d.html.trim() === '' ? null : d.html } : {}),
  });
  const preview = useQuery({
    queryKey: ['template-preview', template.kind, template.channel, debounced],
    queryFn: () =>
      data(
        api.POST('/v1/message-templates/preview', {
          body: { kind: template.kind, channel: template.channel, ...body(debounced) },
        }),
      ),
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['message-templates'] });
  const save = useMutation({
    mutationFn: () =>
      data(
        api.PUT('/v1/message-templates/{kind}/{channel}', {
          params: { path: { kind: template.kind, channel: template.channel } },
          body: body(draft),
        }),
      ),
    onSuccess: () => {
      refresh();
      onNotice('Saved: messages use it from now on.');
    },
  });
  const reset = useMutation({
    mutationFn: () =>
      data(
        api.DELETE('/v1/message-templates/{kind}/{channel}', {
          params: { path: { kind: template.kind, channel: template.channel } },
        }),
      ),
    onSuccess: () => {
      refresh();
      onNotice('Back to the default template.');
    },
  });
  const set = (field: keyof Draft) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    onNotice(null);
    setDraft((d) => ({ ...d, [field]: value }));
  };
  const waiting = preview.isFetching || JSON.stringify(debounced) !== JSON.stringify(draft);

  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      <Stack gap="sm">
        <Group gap="xs">
          <Badge variant="light" color={template.source === 'custom' ? 'blue' : 'gray'}>
            {template.source === 'custom' ? 'Your template' : 'Default template'}
          </Badge>
          {template.updatedAt && (
            <Text size="xs" c="dimmed">
              Saved {formatTime(template.updatedAt)}
            </Text>
          )}
        </Group>
        {!canEdit && (
          <Text size="sm" c="dimmed">
            Only the store owner can change templates; you can read them and their preview.
          </Text>
        )}
        {email && (
          <TextInput label="Subject" value={draft.subject} onChange={set('subject')} readOnly={!canEdit} />
        )}
        <Textarea
          label={email ? 'Text version' : 'Text message'}
          description="Liquid: {{ order.number }}, {% for line in order.lines %}…"
          value={draft.body}
          onChange={set('body')}
          readOnly={!canEdit}
          autosize
          minRows={8}
          maxRows={20}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
        />
        {email && (
          <Textarea
            label="HTML version (optional)"
            description="Left empty, the email's HTML is made from the text version."
            value={draft.html}
            onChange={set('html')}
            readOnly={!canEdit}
            autosize
            minRows={4}
            maxRows={20}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
          />
        )}
        <details>
          <summary>
            <Text span size="sm">
              Variables this template may use
            </Text>
          </summary>
          <Text size="xs" c="dimmed" mt={4}>
            {template.variables.join(', ')}
          </Text>
        </details>
        {save.isError && <ErrorNotice error={save.error} title="Not saved" />}
        {reset.isError && <ErrorNotice error={reset.error} title="Not reset" />}
        {canEdit && (
          <Group gap="sm">
            <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!dirty}>
              Save template
            </Button>
            {dirty && (
              <Button variant="default" onClick={() => setDraft(draftOf(template))}>
                Undo changes
              </Button>
            )}
            {template.source === 'custom' && (
              <Button variant="subtle" color="red" onClick={() => reset.mutate()} loading={reset.isPending}>
                Use the default
              </Button>
            )}
          </Group>
        )}
      </Stack>
      <Paper
        withBorder
        p="md"
        radius="md"
        aria-labelledby="preview-title"
        component="section"
        // Beside a long template, the preview stays in view while scrolling to the part being edited.
        style={{ position: 'sticky', top: 72, alignSelf: 'start' }}
      >
        <Group justify="space-between" mb="xs">
          <Title order={3} size="h5" id="preview-title">
            Preview
          </Title>
          <Text size="xs" c="dimmed" role="status" aria-live="polite">
            {waiting ? 'Updating…' : 'With sample data'}
          </Text>
        </Group>
        <Preview preview={preview} email={email} />
      </Paper>
    </SimpleGrid>
  );
}

function Preview({ preview, email }: { preview: UseQueryResult<RenderedTemplate>; email: boolean }) {
  if (preview.isPending) return <Loading label="Rendering…" />;
  if (preview.isError) {
    const invalid = preview.error instanceof ApiError && preview.error.code === 'template_invalid';
    return <ErrorNotice error={preview.error} title={invalid ? 'The template has problems' : 'No preview'} />;
  }
  const r = preview.data;
  return (
    <Stack gap="xs" data-testid="template-preview">
      {email && (
        <Text size="sm" data-testid="preview-subject">
          <Text span fw={600}>
            Subject:
          </Text>{' '}
          {r.subject}
        </Text>
      )}
      {email && r.html ? (
        <EmailFrame html={r.html} title="Preview of the email" />
      ) : (
        <TextBody text={r.body} />
      )}
      {email && r.html && (
        <details>
          <summary>
            <Text span size="sm">
              Text version
            </Text>
          </summary>
          <TextBody text={r.body} />
        </details>
      )}
    </Stack>
  );
}
