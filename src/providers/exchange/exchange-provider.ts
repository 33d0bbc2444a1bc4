import addressparser from 'nodemailer/lib/addressparser';
import { isMailroomError, MailroomError } from '../../errors.ts';
import type { EmailProvider, OutgoingMessage, SendReceipt, TestReport, TestStep, VerifyOptions } from '../provider.ts';
import { discoverEwsUrl } from './exchange-autodiscover.ts';
import { toEwsError, toEwsHttpError, toEwsNetworkError, type EwsCall } from './exchange-errors.ts';
import type { ExchangeSettings } from './exchange-settings.ts';
import { createItemEnvelope, getFolderEnvelope, readEwsAnswer } from './ews-soap.ts';
import { createEwsTransport } from './ews-transport.ts';

export interface ExchangeProviderConfig {
  readonly settings: ExchangeSettings;
  readonly timeoutMs?: number;
}

/**
 * Sends through Exchange Web Services: CreateItem with the stored MIME message and
 * MessageDisposition="SendAndSaveCopy". With impersonation the call acts as the sending mailbox
 * (the user's own for interactive sends, the batch account for batch sends).
 */
export function createExchangeProvider({ settings, timeoutMs = 60_000 }: ExchangeProviderConfig): EmailProvider {
  if ((!settings.ewsUrl && !settings.autodiscover) || !settings.username || !settings.password) throw new MailroomError('EXCHANGE_NOT_CONFIGURED');
  const discovered = new Map<string, Promise<string>>();
  const transport = createEwsTransport(settings, timeoutMs);

  function endpointFor(mailbox: string): Promise<string> {
    if (settings.ewsUrl) return Promise.resolve(settings.ewsUrl);
    const domain = mailbox.slice(mailbox.lastIndexOf('@') + 1).toLowerCase();
    let found = discovered.get(domain);
    if (!found) {
      found = discoverEwsUrl(mailbox, settings.autodiscoverUrl, transport);
      discovered.set(domain, found);
      found.catch(() => discovered.delete(domain));
    }
    return found;
  }

  async function call(operation: 'CreateItem' | 'GetFolder', mailbox: string, xml: string): Promise<void> {
    const url = await endpointFor(mailbox);
    const ews: EwsCall = { mailbox, command: `${operation} ${url}` };
    let answer;
    try {
      answer = await transport.post(url, xml);
    } catch (err) {
      throw toEwsNetworkError(err, ews);
    }
    let parsed;
    try {
      parsed = readEwsAnswer(answer.body, operation);
    } catch {
      throw toEwsHttpError(answer.status, answer.statusText, answer.body, String(answer.headers['retry-after'] ?? '') || null, ews);
    }
    if (parsed.kind !== 'success') throw toEwsError(parsed, ews);
    if (answer.status !== 200) throw toEwsHttpError(answer.status, answer.statusText, '', null, ews);
  }

  const mailboxOf = (message: OutgoingMessage) => (message.mode === 'batch' && settings.batchAccount ? settings.batchAccount : message.envelope.from);

  return {
    id: 'exchange',
    async send(message: OutgoingMessage): Promise<SendReceipt> {
      const mailbox = mailboxOf(message);
      const bcc = bccOf(message);
      await call('CreateItem', mailbox, createItemEnvelope({
        mime: message.raw, bcc, mailbox, impersonate: settings.impersonation ? mailbox : undefined,
      }));
      return { recipients: message.envelope.to.map((address) => ({ address, accepted: true })), response: `NoError: CreateItem SendAndSaveCopy as ${mailbox}` };
    },
    async verify(options: VerifyOptions = {}): Promise<TestReport> {
      const mailbox = options.mailbox || settings.batchAccount || settings.username;
      const steps: TestStep[] = [];
      try {
        const url = await endpointFor(mailbox);
        steps.push({ step: 'endpoint', ok: true, detail: settings.ewsUrl ? `EWS URL ${url}.` : `Autodiscover found ${url}.` });
        await call('GetFolder', mailbox, getFolderEnvelope(mailbox, settings.impersonation ? mailbox : undefined));
        steps.push({ step: 'mailbox', ok: true, detail: `Signed in as ${settings.username} and opened Sent Items of ${mailbox}.` });
        return { ok: true, steps };
      } catch (err) {
        const e = isMailroomError(err) ? err : toEwsNetworkError(err, { mailbox, command: 'connection test' });
        steps.push({ step: steps.length === 0 ? 'endpoint' : 'mailbox', ok: false, detail: `${e.code}: ${e.message}` });
        throw new MailroomError(e.code, { message: e.message, response: e.response, command: e.command, details: { steps }, cause: e });
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** Bcc recipients live only in the envelope; the MIME headers name To and Cc. Only the header block is read. */
function bccOf(message: OutgoingMessage): string[] {
  const end = message.raw.indexOf('\r\n\r\n');
  const headers = message.raw.subarray(0, end < 0 ? message.raw.length : end).toString('utf8').replace(/\r\n[ \t]+/g, ' ');
  const visible = new Set<string>();
  for (const line of headers.split('\r\n')) {
    const match = /^(to|cc):(.*)$/i.exec(line);
    if (!match) continue;
    for (const { address } of addressparser(match[2]!, { flatten: true })) if (address) visible.add(address.toLowerCase());
  }
  return message.envelope.to.filter((a) => !visible.has(a.toLowerCase()));
}
