import type { Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { bareHost, OutboundRefused, postOutbound, publicAddressOf } from '../../shared/outbound.ts';
import { webhookHeaders } from '../webhooks/webhooks.signing.ts';

/** One message on its way out, as the channel needs it. */
export interface Outgoing {
  id: string;
  recipient: string;
  subject: string | null;
  body: string | null;
  html: string | null;
  payload: Record<string, unknown> | null;
}

export type SendResult =
  | { ok: true; code: number | null; response: string | null }
  /** `permanent`: trying again cannot help (an address refused, a 4xx from the SMS API). */
  | { ok: false; code: number | null; error: string; permanent: boolean };

export interface EmailSettings {
  smtpUrl: string;
  from: string;
  replyTo: string | null;
}
export interface SmsSettings {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
}
export interface WebhookTarget {
  url: string;
  secret: string;
}

/** How messages leave the process; tests may wrap these to inject faults. */
export interface Senders {
  email(settings: EmailSettings, message: Outgoing): Promise<SendResult>;
  sms(settings: SmsSettings, message: Outgoing): Promise<SendResult>;
  webhook(target: WebhookTarget, message: Outgoing, timestampSeconds: number): Promise<SendResult>;
  /** Closes pooled connections (SMTP), so a stopping process does not wait for them to idle out. */
  close?(): void;
}

/** What a message kept by the built-in outbox channel records as its delivery (nothing is sent). */
export const OUTBOX_DELIVERY: SendResult = {
  ok: true,
  code: null,
  response: "outbox: kept in Backfill's message log, not sent (the store's channel is the built-in outbox)",
};

const TIMEOUT_MS = 15_000;
/**
 * SMTP connections kept open per store server. A new connection per message (the greeting, and at
 * a real provider TLS and login too) made raw sends 7× slower on loopback in the bench; nodemailer
 * closes a pooled connection after 100 messages or 4 idle minutes.
 */
export const SMTP_CONNECTIONS = 5;
/** Of an SMTP server's reply, what is kept (HTTP receivers' answers are cut in shared/outbound.ts). */
const RESPONSE_KEPT = 200;

/** Of a failure's text (which may quote the receiver: an SMTP greeting, an HTTP answer), what is kept. */
const ERROR_KEPT = 300;

const failure = (error: unknown, permanent = false, code: number | null = null): SendResult => ({
  ok: false,
  code,
  error: (error instanceof Error ? error.message : String(error)).slice(0, ERROR_KEPT),
  permanent,
});

/**
 * nodemailer's options for a store's SMTP URL, built from the URL's parts alone: nodemailer would
 * also read options from its query string (`?sendmail=true` runs a local binary), which a store
 * must not be able to set.
 */
export function smtpTransportOptions(
  smtpUrl: string,
  timeoutMs = TIMEOUT_MS,
  address?: string,
): SMTPPool.Options {
  const url = new URL(smtpUrl);
  const hostname = bareHost(url.hostname);
  return {
    // Connected by the address checked for it (outbound.ts); TLS still verifies the name.
    host: address ?? hostname,
    ...(address && address !== hostname ? { servername: hostname } : {}),
    ...(url.port ? { port: Number(url.port) } : {}),
    secure: url.protocol === 'smtps:',
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

/**
 * `allowPrivateUrls` (BACKFILL_ALLOW_PRIVATE_URLS) lets webhooks and the SMS API reach loopback and
 * private addresses; without it they are refused at delivery too (see shared/outbound.ts).
 */
/** Files an email carries (a purchase order's CSV): `payload.attachments`, text content. */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

function attachmentsOf(payload: Record<string, unknown> | null): EmailAttachment[] {
  const list = payload?.attachments;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (a): a is EmailAttachment =>
      typeof a === 'object' &&
      a !== null &&
      typeof (a as EmailAttachment).filename === 'string' &&
      typeof (a as EmailAttachment).content === 'string',
  );
}

export function createSenders(options: { timeoutMs?: number; allowPrivateUrls?: boolean } = {}): Senders {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const policy = { allowPrivate: options.allowPrivateUrls ?? false };
  const transports = new Map<string, Transporter>();
  // nodemailer is loaded with the first email: processes that send none never pay for it.
  // A store's SMTP server is held to the same rule as its webhooks: its name is resolved and
  // checked before every send, and the connection goes to the address checked.
  const transportFor = async (smtpUrl: string): Promise<Transporter> => {
    const address = policy.allowPrivate
      ? undefined
      : await publicAddressOf(new URL(smtpUrl).hostname, policy);
    const key = `${smtpUrl} ${address ?? ''}`;
    let transport = transports.get(key);
    if (!transport) {
      const { default: nodemailer } = await import('nodemailer');
      transport =
        transports.get(key) ?? nodemailer.createTransport(smtpTransportOptions(smtpUrl, timeoutMs, address));
      transports.set(key, transport);
    }
    return transport;
  };

  async function post(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    try {
      const answer = await postOutbound(url, { headers, body, timeoutMs }, policy);
      if (answer.status >= 200 && answer.status < 300)
        return { ok: true, code: answer.status, response: answer.excerpt };
      return {
        ok: false,
        code: answer.status,
        error: `HTTP ${answer.status}: ${answer.excerpt}`,
        permanent: false,
      };
    } catch (error) {
      // A receiver on a private network stays refused however often it is tried.
      if (error instanceof OutboundRefused) return failure(error, true);
      return failure(error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : error);
    }
  }

  return {
    close() {
      for (const transport of transports.values()) transport.close();
      transports.clear();
    },

    async email(settings, message) {
      const unsubscribe = message.payload?.unsubscribeUrl;
      const attachments = attachmentsOf(message.payload);
      try {
        const info = await (await transportFor(settings.smtpUrl)).sendMail({
          from: settings.from,
          to: message.recipient,
          ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
          subject: message.subject ?? '',
          text: message.body ?? '',
          ...(message.html ? { html: message.html } : {}),
          messageId: `<${message.id}@backfill>`,
          ...(attachments.length > 0 ? { attachments } : {}),
          ...(typeof unsubscribe === 'string' && unsubscribe
            ? {
                headers: {
                  'List-Unsubscribe': `<${unsubscribe}>`,
                  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
                },
              }
            : {}),
        });
        return { ok: true, code: 250, response: String(info.response ?? '').slice(0, RESPONSE_KEPT) };
      } catch (error) {
        if (error instanceof OutboundRefused) return failure(error, true);
        const code = (error as { responseCode?: number }).responseCode ?? null;
        // 5xx replies are the server's final word on this message; anything else may pass later.
        return failure(error, code !== null && code >= 500, code);
      }
    },

    async sms(settings, message) {
      const url = `${settings.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
      const result = await post(
        url,
        {
          authorization: `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        new URLSearchParams({
          To: message.recipient,
          From: settings.from,
          Body: message.body ?? '',
        }).toString(),
      );
      // A 4xx other than throttling (an invalid number, a refused sender) will not pass on retry.
      if (
        !result.ok &&
        result.code !== null &&
        result.code >= 400 &&
        result.code < 500 &&
        result.code !== 429
      )
        return { ...result, permanent: true };
      return result;
    },

    async webhook(target, message, timestampSeconds) {
      const body = JSON.stringify(message.payload ?? {});
      return post(
        target.url,
        {
          'content-type': 'application/json',
          'user-agent': 'Backfill-Webhooks/1',
          ...webhookHeaders(target.secret, message.id, timestampSeconds, body),
        },
        body,
      );
    },
  };
}
