/**
 * "Are you sure?" for a destructive action (revoke a key, remove a staff member, delete an
 * endpoint): what will happen in words, the server's refusal if any, and two buttons, the safe one
 * first. Closing it any way changes nothing.
 */
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorNotice } from './states';

export interface ConfirmDialogProps {
  opened: boolean;
  title: string;
  /** What happens, in words. */
  children: ReactNode;
  /** The close button's accessible name, e.g. "Close without revoking". */
  closeLabel: string;
  keepLabel: string;
  confirmLabel: string;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onConfirm: () => void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': props.closeLabel }}
      opened={props.opened}
      onClose={props.onClose}
      title={props.title}
    >
      <Stack gap="sm">
        <Text size="sm" style={{ wordBreak: 'break-word' }}>
          {props.children}
        </Text>
        {props.error ? <ErrorNotice error={props.error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {props.keepLabel}
          </Button>
          <Button color="red" loading={props.pending} onClick={props.onConfirm}>
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
