/**
 * Connect the store's platform (POST /v1/connections): Shopify, BigCommerce or WooCommerce, each
 * asking for the credentials its setup guide (docs/connectors.md) has the merchant create.
 * Credentials are write-only: the server encrypts them and never shows them again.
 */
import {
  Button,
  Checkbox,
  Group,
  NativeSelect,
  Paper,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../shared/states';
import { type Connection, createConnection, type NewConnection } from './api';

type Platform = NewConnection['platform'];
type CredentialKey = keyof NewConnection['credentials'];

interface CredentialField {
  key: CredentialKey;
  label: string;
  description?: string;
  placeholder?: string;
  /** Shown as typed (an identifier, not a secret). */
  plain?: boolean;
}

interface PlatformForm {
  label: string;
  shopLabel: string;
  shopPlaceholder: string;
  help: string;
  fields: CredentialField[];
}

const FORMS: Record<Platform, PlatformForm> = {
  shopify: {
    label: 'Shopify',
    shopLabel: 'Shop domain',
    shopPlaceholder: 'example.myshopify.com',
    help: 'In your Shopify admin, create a custom app with the scopes listed in the setup guide, install it, and copy its Admin API access token and client secret here.',
    fields: [
      { key: 'accessToken', label: 'Admin API access token', placeholder: 'shpat_…' },
      { key: 'clientSecret', label: 'Client secret', description: 'Signs the webhooks Shopify sends' },
    ],
  },
  bigcommerce: {
    label: 'BigCommerce',
    shopLabel: 'Storefront domain',
    shopPlaceholder: 'example.mybigcommerce.com',
    help: 'In your BigCommerce control panel, create a store-level API account with the scopes listed in the setup guide; copy its access token and your store hash here, and choose a webhook secret for the webhooks you then create.',
    fields: [
      {
        key: 'storeHash',
        label: 'Store hash',
        description: 'The part after /stores/ in your API path',
        placeholder: 'abc123',
        plain: true,
      },
      { key: 'accessToken', label: 'API access token' },
      {
        key: 'webhookSecret',
        label: 'Webhook secret',
        description: 'Sent back as the X-Backfill-Webhook-Secret header of every webhook',
      },
    ],
  },
  woocommerce: {
    label: 'WooCommerce',
    shopLabel: 'Store address',
    shopPlaceholder: 'https://shop.example.com',
    help: 'In WooCommerce › Settings › Advanced › REST API, add a key with read/write access; copy its consumer key and secret here, and choose the secret you give each webhook.',
    fields: [
      { key: 'consumerKey', label: 'Consumer key', placeholder: 'ck_…' },
      { key: 'consumerSecret', label: 'Consumer secret', placeholder: 'cs_…' },
      { key: 'webhookSecret', label: 'Webhook secret', description: 'The secret of each webhook you create' },
    ],
  },
};

const PLATFORMS = (Object.keys(FORMS) as Platform[]).map((value) => ({ value, label: FORMS[value].label }));

export function ConnectForm({ onConnected }: { onConnected: (connection: Connection) => void }) {
  const [platform, setPlatform] = useState<Platform>('shopify');
  const [shop, setShop] = useState('');
  const [credentials, setCredentials] = useState<Partial<Record<CredentialKey, string>>>({});
  const [apiUrl, setApiUrl] = useState('');
  const [pushFulfilments, setPushFulfilments] = useState(false);
  const form = FORMS[platform];
  const queryClient = useQueryClient();
  const connect = useMutation({
    mutationFn: () =>
      createConnection({
        platform,
        shop: shop.trim(),
        ...(apiUrl.trim() ? { apiUrl: apiUrl.trim() } : {}),
        credentials: Object.fromEntries(
          form.fields.map((field) => [field.key, (credentials[field.key] ?? '').trim()]),
        ) as NewConnection['credentials'],
        pushFulfilments,
      }),
    onSuccess: (connection) => {
      setCredentials({});
      setShop('');
      setApiUrl('');
      void queryClient.invalidateQueries({ queryKey: ['connections'] });
      onConnected(connection);
    },
  });
  const valid =
    shop.trim().length >= 3 && form.fields.every((field) => (credentials[field.key] ?? '').trim() !== '');

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
        {form.help} They are stored encrypted and never shown again.
      </Text>
      <form onSubmit={onSubmit} aria-label="Connect a store">
        <Stack gap="sm">
          {connect.isError && <ErrorNotice error={connect.error} title="Not connected" />}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label="Platform"
              data={PLATFORMS}
              value={platform}
              onChange={(e) => {
                setPlatform(e.currentTarget.value as Platform);
                setCredentials({});
                connect.reset();
              }}
            />
            <TextInput
              label={form.shopLabel}
              placeholder={form.shopPlaceholder}
              required
              value={shop}
              onChange={(e) => setShop(e.currentTarget.value)}
            />
            {form.fields.map((field) => {
              const props = {
                label: field.label,
                description: field.description,
                placeholder: field.placeholder,
                required: true,
                autoComplete: 'off',
                value: credentials[field.key] ?? '',
                onChange: (e: { currentTarget: HTMLInputElement }) => {
                  const value = e.currentTarget.value;
                  setCredentials((now) => ({ ...now, [field.key]: value }));
                },
              };
              return field.plain ? (
                <TextInput key={`${platform}-${field.key}`} {...props} />
              ) : (
                <PasswordInput key={`${platform}-${field.key}`} {...props} />
              );
            })}
          </SimpleGrid>
          <TextInput
            label="API address (optional)"
            description={`Only when ${form.label} is reached through a proxy`}
            value={apiUrl}
            onChange={(e) => setApiUrl(e.currentTarget.value)}
          />
          <Checkbox
            label={`Create Backfill's shipments on ${form.label} as fulfilments`}
            description="For orders that came from the platform; shipments the platform reported are never sent back"
            checked={pushFulfilments}
            onChange={(e) => setPushFulfilments(e.currentTarget.checked)}
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
