/**
 * Connect the store's platform (POST /v1/connections). Shopify is the connector built so far;
 * the others are listed so a merchant knows they are coming. Credentials are write-only: the
 * server encrypts them and never shows them again.
 */
import {
  Button,
  Group,
  NativeSelect,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../shared/states';
import { type Connection, createConnection } from './api';

const PLATFORMS = [
  { value: 'shopify', label: 'Shopify' },
  { value: 'bigcommerce', label: 'BigCommerce (coming)', disabled: true },
  { value: 'woocommerce', label: 'WooCommerce (coming)', disabled: true },
];

export function ConnectForm({ onConnected }: { onConnected: (connection: Connection) => void }) {
  const [shop, setShop] = useState('');
  const [accessToken, setAccessToken] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [apiUrl, setApiUrl] = useState('');
  const queryClient = useQueryClient();
  const connect = useMutation({
    mutationFn: () =>
      createConnection({
        platform: 'shopify',
        shop: shop.trim(),
        ...(apiUrl.trim() ? { apiUrl: apiUrl.trim() } : {}),
        credentials: { accessToken: accessToken.trim(), clientSecret: clientSecret.trim() },
      }),
    onSuccess: (connection) => {
      setAccessToken('');
      setClientSecret('');
      setShop('');
      setApiUrl('');
      void queryClient.invalidateQueries({ queryKey: ['connections'] });
      onConnected(connection);
    },
  });
  const valid = shop.trim().length >= 3 && accessToken.trim() !== '' && clientSecret.trim() !== '';

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (valid) connect.mutate();
  }

  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="xs">
        Connect a store
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        In your Shopify admin, create a custom app with the scopes listed in the setup guide, install it, and
        copy its Admin API access token and client secret here. They are stored encrypted and never shown
        again.
      </Text>
      <form onSubmit={onSubmit} aria-label="Connect a store">
        <Stack gap="sm">
          {connect.isError && <ErrorNotice error={connect.error} title="Not connected" />}
          <Group grow wrap="wrap" align="flex-start">
            <NativeSelect label="Platform" data={PLATFORMS} value="shopify" onChange={() => undefined} />
            <TextInput
              label="Shop domain"
              placeholder="example.myshopify.com"
              required
              value={shop}
              onChange={(e) => setShop(e.currentTarget.value)}
            />
          </Group>
          <Group grow wrap="wrap" align="flex-start">
            <PasswordInput
              label="Admin API access token"
              placeholder="shpat_…"
              required
              autoComplete="off"
              value={accessToken}
              onChange={(e) => setAccessToken(e.currentTarget.value)}
            />
            <PasswordInput
              label="Client secret"
              description="Signs the webhooks Shopify sends"
              required
              autoComplete="off"
              value={clientSecret}
              onChange={(e) => setClientSecret(e.currentTarget.value)}
            />
          </Group>
          <TextInput
            label="API address (optional)"
            description="Only when Shopify is reached through a proxy; otherwise https://<shop domain>"
            value={apiUrl}
            onChange={(e) => setApiUrl(e.currentTarget.value)}
          />
          <Group>
            <Button type="submit" loading={connect.isPending} disabled={!valid}>
              Connect
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
