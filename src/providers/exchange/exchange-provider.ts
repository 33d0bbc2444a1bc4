import { simpleParser } from 'mailparser';
import { isMailroomError, MailroomError } from '../../errors.ts';
import type { EmailProvider, OutgoingMessage, SendReceipt, TestReport, TestStep, VerifyOptions } from '../provider.ts';
import { discoverEwsUrl } from './exchange-autodiscover.ts';
import { toEwsError, toEwsHttpError, toEwsNetworkError, type EwsCall } from './exchange-errors.ts';
import type { ExchangeSettings } from './exchange-settings.ts';
import { createItemEnvelope, getFolderEnvelope, readEwsAnswer } from './ews-soap.ts';
import { postWithCredentials } from './ews-transport.ts';

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

  function endpointFor(mailbox: string): Promise<string> {
    if (settings.ewsUrl) return Promise.resolve(settings.ewsUrl);
    const domain = mailbox.slice(mailbox.lastIndexOf('@') + 1).toLowerCase();
    let found = discovered.get(domain);
    if (!found) {
      found = discoverEwsUrl(mailbox, settings.autodiscoverUrl, settings, timeoutMs);
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
      answer = await postWithCredentials(url, xml, settings, { contentType: 'text/xml; charset=utf-8', timeoutMs });
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
      const bcc = await bccOf(message);
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
  };
}

/** Bcc recipients live only in the envelope; the MIME headers name To and Cc. */
async function bccOf(message: OutgoingMessage): Promise<string[]> {
  const parsed = await simpleParser(message.raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const visible = new Set([parsed.to, parsed.cc].flat().flatMap((g) => g?.value ?? []).map((m) => (m.address ?? '').toLowerCase()));
  return message.envelope.to.filter((a) => !visible.has(a.toLowerCase()));
}
