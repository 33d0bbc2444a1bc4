import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmailProvider, OutgoingMessage, SendReceipt } from '../provider.ts';

export interface EmlProviderConfig {
  /** The folder a mail app or a pickup service collects .eml files from. */
  readonly outboxDir: string;
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
      const path = join(outboxDir, `${message.id}.eml`);
      await writeFile(path, message.raw, { mode: 0o600 });
      return { recipients: message.envelope.to.map((address) => ({ address, accepted: true })), response: `Written to ${path}` };
    },
  };
}
