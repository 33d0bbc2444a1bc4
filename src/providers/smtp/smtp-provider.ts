import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { MailroomError } from '../../errors.ts';
import { withSystemAuthorities } from '../../security/trusted-ca.ts';
import type { EmailProvider, OutgoingMessage, SendReceipt, TestReport } from '../provider.ts';
import { rejectedRecipients, toSmtpError } from './smtp-errors.ts';
import { isOffice365, OFFICE365_MAX_CONNECTIONS, type SmtpSettings } from './smtp-settings.ts';

export interface SmtpProviderConfig {
  readonly settings: SmtpSettings;
  /** Parallel connections to the server; by default 8, and 3 for Exchange Online. */
  readonly maxConnections?: number;
  readonly timeoutMs?: number;
}

// Each connection spends most of a send waiting for the server's replies, so a few more of them
// keep a server busy (measured in bench/outbound); Exchange Online allows only three per mailbox.
const defaultMaxConnections = (host: string) => (isOffice365(host) ? OFFICE365_MAX_CONNECTIONS : 8);

/** Sends pre-built messages over pooled SMTP connections (nodemailer's pool). */
export function createSmtpProvider({ settings, maxConnections = defaultMaxConnections(settings.host), timeoutMs = 30_000 }: SmtpProviderConfig): EmailProvider {
  if (!settings.host) throw new MailroomError('SMTP_NOT_CONFIGURED');
  if (settings.authRequired && !settings.username) {
    throw new MailroomError('SMTP_AUTH_INCOMPLETE');
  }
  const implicitTls = settings.implicitTls || settings.port === 465;
  const options: SMTPPool.Options = {
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: implicitTls,
    requireTLS: settings.sslRequired && !implicitTls,
    // A user name means signing in, always: never fall back to sending unauthenticated when the
    // server offers no AUTH (the failure tells the administrator to clear the user name).
    auth: settings.username ? { user: settings.username, pass: settings.password } : undefined,
    forceAuth: Boolean(settings.username),
    // nodemailer sends the host as SNI server name itself, and leaves it out for an IP address
    // (RFC 6066 forbids IPs there; Node warns about them).
    tls: { rejectUnauthorized: settings.verifyCertificate, ...(settings.trustedCa ? { ca: withSystemAuthorities(settings.trustedCa) } : {}) },
    maxConnections,
    maxMessages: 500,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 2,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transport = nodemailer.createTransport(options);

  return {
    id: 'smtp',
    maxConcurrent: maxConnections,
    async send(message: OutgoingMessage): Promise<SendReceipt> {
      try {
        const info = await transport.sendMail({
          envelope: { from: message.envelope.from, to: [...message.envelope.to] },
          raw: message.raw,
        });
        const accepted = (info.accepted as string[]).map((address) => ({ address: String(address), accepted: true }));
        const rejected = rejectedRecipients((info as { rejectedErrors?: never[] }).rejectedErrors);
        return { recipients: [...accepted, ...rejected], response: info.response };
      } catch (err) {
        throw toSmtpError(err);
      }
    },
    async verify(): Promise<TestReport> {
      try {
        await transport.verify();
        return { ok: true, steps: [{ step: 'connect', ok: true, detail: `Connected to ${settings.host}:${settings.port}${settings.username ? ' and signed in' : ''}.` }] };
      } catch (err) {
        throw toSmtpError(err);
      }
    },
    async close() {
      transport.close();
    },
  };
}
