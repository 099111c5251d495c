/** A secret shown once (an API key, a webhook signing secret): copy it now, it is not shown again. */
import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

export function ShownOnce({ title, secret, onDone }: { title: string; secret: string; onDone: () => void }) {
  return (
    <Alert color="yellow" variant="light" title={title} role="status" mb="md">
      <Stack gap="xs">
        <Text size="sm">Copy it now and keep it somewhere safe: it is shown only this once.</Text>
        <Code block data-secret style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
          {secret}
        </Code>
        <Group gap="sm">
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" color={copied ? 'teal' : 'blue'} onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={onDone}>
            I have kept it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
