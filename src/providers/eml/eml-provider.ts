import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import type { EmailProvider, OutgoingMessage, SendReceipt } from '../provider.ts';

export interface EmlProviderConfig {
  /** The folder a mail app or a pickup service collects .eml files from. */
  readonly outboxDir: string;
}

/**
 * The message as the outbox keeps it: the stored message leaves Bcc out (it is what SMTP sends),
 * so the Bcc recipients are named in a header of the file, the way a pickup service reads them.
 * Addresses were checked at hand-in; an international domain is written in its ASCII form.
 */
export function withBccHeader(raw: Buffer, bcc: readonly string[]): Buffer {
  if (bcc.length === 0) return raw;
  const ascii = bcc.map((a) => {
    const at = a.lastIndexOf('@');
    return `${a.slice(0, at)}@${domainToASCII(a.slice(at + 1)) || a.slice(at + 1)}`;
  });
  return Buffer.concat([Buffer.from(`Bcc: ${ascii.join(',\r\n ')}\r\n`, 'ascii'), raw]);
}

/**
 * The "email app" provider. Interactive sends hand the .eml to the user; batch sends write it to
 * the outbox folder, named by email id, so a retry overwrites rather than duplicates.
 */
export function createEmlProvider({ outboxDir }: EmlProviderConfig): EmailProvider {
  return {
    id: 'eml',
    async send(message: OutgoingMessage): Promise<SendReceipt> {
      // Messages hold Bcc and attachments: readable by Mailroom's own user only.
      await mkdir(outboxDir, { recursive: true, mode: 0o700 });
      const name = `${message.id}.eml`;
      await writeFile(join(outboxDir, name), withBccHeader(message.raw, message.envelope.bcc ?? []), { mode: 0o600 });
      // The reply names the file, not the server's folders: users read it on their email's page.
      return { recipients: message.envelope.to.map((address) => ({ address, accepted: true })), response: `Written to the .eml outbox as ${name}` };
    },
  };
}
