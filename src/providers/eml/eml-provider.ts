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
      await mkdir(outboxDir, { recursive: true });
      const path = join(outboxDir, `${message.id}.eml`);
      await writeFile(path, message.raw);
      return { recipients: message.envelope.to.map((address) => ({ address, accepted: true })), response: `Written to ${path}` };
    },
  };
}
