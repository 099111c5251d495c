/**
 * Real receivers on loopback for message tests: an SMTP server (smtp-server) whose mail is parsed
 * as a mail client would, and an HTTP receiver for webhooks and the SMS API that can be told to
 * fail, stall or succeed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Header lines as sent, by lower-case name (values unfolded). */
  headers: Map<string, string>;
  messageId: string;
  /** Attached files, their content as text. */
  attachments: { filename: string; contentType: string; content: string }[];
}

export interface MailInbox {
  url: string;
  mail: ReceivedMail[];
  /** Reply to the next RCPT TO with this SMTP code (e.g. 550 = mailbox unavailable). */
  rejectNext(code: number): void;
  /** How long the inbox waits, with the mail received, before it answers 250 (a slow server). */
  latencyMs: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

async function until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startMailInbox(): Promise<MailInbox> {
  const mail: ReceivedMail[] = [];
  const rejections: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Senders keep pooled connections open; closing the inbox drops them instead of waiting 30 s.
    closeTimeout: 100,
    onRcptTo(_address, _session, callback) {
      const code = rejections.shift();
      if (code === undefined) return callback();
      const error = new Error('Mailbox unavailable') as Error & { responseCode: number };
      error.responseCode = code;
      return callback(error);
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          mail.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers: new Map(
              parsed.headerLines.map((h) => [
                h.key,
                h.line
                  .slice(h.line.indexOf(':') + 1)
                  .replace(/\r?\n\s+/g, ' ')
                  .trim(),
              ]),
            ),
            messageId: parsed.messageId ?? '',
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename ?? '',
              contentType: a.contentType,
              content: a.content.toString('utf8'),
            })),
          });
          if (inbox.latencyMs > 0) setTimeout(() => callback(), inbox.latencyMs);
          else callback();
        },
        (error) => callback(error),
      );
    },
  });
  // A sender killed mid-conversation resets its connection: nothing to report.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const inbox: MailInbox = {
    url: `smtp://127.0.0.1:${port}`,
    mail,
    latencyMs: 0,
    rejectNext: (code) => rejections.push(code),
    waitFor: (count, timeoutMs = 10_000) =>
      until(() => (mail.length >= count ? mail : undefined), timeoutMs, `${count} emails`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return inbox;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/**
 * What the receiver does with the next request: answer with a status, stall past the timeout, or
 * answer however `respond` does (headers, redirects, bodies of any size).
 */
export type Behaviour =
  | { status: number; body?: string }
  | { stallMs: number }
  | { respond(request: IncomingMessage, response: ServerResponse): void };

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Queues behaviours for the next requests; when empty, answers `fallback` (200 by default). */
  plan(...behaviours: Behaviour[]): void;
  fallback: Behaviour;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const planned: Behaviour[] = [];
  const receiver: HttpReceiver = {
    url: '',
    requests,
    plan: (...behaviours) => planned.push(...behaviours),
    fallback: { status: 200, body: '{"ok":true}' },
    waitFor: (count, timeoutMs = 10_000) =>
      until(() => (requests.length >= count ? requests : undefined), timeoutMs, `${count} requests`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    // A sender killed mid-request resets the connection: the request simply never ends.
    request.on('error', () => {});
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const behaviour = planned.shift() ?? receiver.fallback;
      if ('respond' in behaviour) return behaviour.respond(request, response);
      if ('stallMs' in behaviour) {
        const timer = setTimeout(() => response.end(), behaviour.stallMs);
        response.on('close', () => clearTimeout(timer));
        return;
      }
      response.writeHead(behaviour.status, { 'content-type': 'application/json' });
      response.end(behaviour.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Stalled requests must not keep close() waiting.
  const close = receiver.close;
  receiver.close = async () => {
    server.closeAllConnections();
    await close();
  };
  return receiver;
}
