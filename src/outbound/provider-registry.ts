import { emlOutboxDir, type AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { createEmlProvider } from '../providers/eml/eml-provider.ts';
import type { EmailProvider } from '../providers/provider.ts';
import { createSmtpProvider } from '../providers/smtp/smtp-provider.ts';
import { PROVIDER_IDS, type ProviderId } from '../store/tables.ts';
import { smtpSettings, type StoredParameters } from './email-parameters.ts';

export function assertProviderId(id: string): asserts id is ProviderId {
  if (!PROVIDER_IDS.includes(id as ProviderId)) throw new MailroomError('UNKNOWN_PROVIDER', { message: `There is no email provider "${id}".`, details: { provider: id } });
}

/** Providers Mailroom can send through today; the others are known IDs that say so clearly. */
export function assertSendable(id: ProviderId, params: StoredParameters): void {
  if (id === 'graph' || id === 'exchange') {
    throw new MailroomError('PROVIDER_NOT_AVAILABLE', { message: `The ${id === 'graph' ? 'Microsoft Graph' : 'Exchange'} provider is not available yet.`, details: { provider: id } });
  }
  if (id === 'smtp' && !params.smtp.host) throw new MailroomError('SMTP_NOT_CONFIGURED');
}

/**
 * Hands out providers built from the current parameters and keeps the SMTP connection pool
 * while its settings stay the same; a change of settings closes the old pool.
 */
export class ProviderRegistry {
  readonly #ctx: AppContext;
  #smtp: { key: string; provider: EmailProvider } | undefined;
  readonly #eml: EmailProvider;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#eml = createEmlProvider({ outboxDir: emlOutboxDir(ctx) });
  }

  get(id: ProviderId, params: StoredParameters): EmailProvider {
    assertSendable(id, params);
    if (id === 'eml') return this.#eml;
    const key = JSON.stringify(params.smtp);
    if (this.#smtp?.key !== key) {
      void this.#smtp?.provider.close?.();
      this.#smtp = { key, provider: createSmtpProvider({ settings: smtpSettings(this.#ctx, params) }) };
    }
    return this.#smtp.provider;
  }

  async close(): Promise<void> {
    await this.#smtp?.provider.close?.();
    this.#smtp = undefined;
  }
}
