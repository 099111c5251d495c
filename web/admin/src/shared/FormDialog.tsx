/**
 * A small form in a modal (a new purchase order, move a date, edit a reference, edit lines): its fields, the server's
 * refusal in words if any, and Cancel / submit buttons. Closing it changes nothing.
 */
import { Button, Group, Modal, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorNotice } from './states';

export interface FormDialogProps {
  title: string;
  size?: string;
  children: ReactNode;
  submitLabel: string;
  /** The submit button is off (e.g. nothing to place the order with yet). */
  submitDisabled?: boolean;
  pending: boolean;
  error: unknown;
  /** Says what did not happen when the server refused, e.g. "The date did not move". */
  errorTitle: string;
  onClose: () => void;
  onSubmit: () => void;
}

export function FormDialog(props: FormDialogProps) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened
      onClose={props.onClose}
      title={props.title}
      {...(props.size ? { size: props.size } : {})}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit();
        }}
      >
        <Stack gap="sm">
          {props.children}
          {props.error ? <ErrorNotice error={props.error} title={props.errorTitle} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={props.pending} disabled={props.submitDisabled ?? false}>
              {props.submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
