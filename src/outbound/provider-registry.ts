import { emlOutboxDir, type AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { createEmlProvider } from '../providers/eml/eml-provider.ts';
import { createExchangeProvider } from '../providers/exchange/exchange-provider.ts';
import { createGraphProvider } from '../providers/graph/graph-provider.ts';
import type { EmailProvider } from '../providers/provider.ts';
import { createSmtpProvider } from '../providers/smtp/smtp-provider.ts';
import { PROVIDER_IDS, type ProviderId } from '../store/tables.ts';
import { exchangeSettings, graphSettings, isExchangeConfigured, isGraphConfigured, smtpSettings, type StoredParameters } from './email-parameters.ts';

export function assertProviderId(id: string): asserts id is ProviderId {
  if (!PROVIDER_IDS.includes(id as ProviderId)) throw new MailroomError('UNKNOWN_PROVIDER', { message: `There is no email provider "${id}".`, details: { provider: id } });
}

/** Refuses a provider whose settings are missing, before anything is queued for it. */
export function assertSendable(id: ProviderId, params: StoredParameters): void {
  if (id === 'smtp' && !params.smtp.host) throw new MailroomError('SMTP_NOT_CONFIGURED');
  if (id === 'graph' && !isGraphConfigured(params)) throw new MailroomError('GRAPH_NOT_CONFIGURED');
  if (id === 'exchange' && !isExchangeConfigured(params)) throw new MailroomError('EXCHANGE_NOT_CONFIGURED');
}

type Pooled = 'smtp' | 'graph' | 'exchange';

/**
 * Hands out providers built from the current parameters and keeps each one (the SMTP connection
 * pool, the Graph token cache, the Exchange endpoint found by Autodiscover) while its settings
 * stay the same; a change of settings closes the old one.
 */
export class ProviderRegistry {
  readonly #ctx: AppContext;
  readonly #built = new Map<Pooled, { key: string; provider: EmailProvider }>();
  readonly #eml: EmailProvider;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#eml = createEmlProvider({ outboxDir: emlOutboxDir(ctx) });
  }

  get(id: ProviderId, params: StoredParameters): EmailProvider {
    assertSendable(id, params);
    if (id === 'eml') return this.#eml;
    const key = JSON.stringify(params[id]);
    const built = this.#built.get(id);
    if (built?.key === key) return built.provider;
    void built?.provider.close?.();
    const provider = this.#create(id, params);
    this.#built.set(id, { key, provider });
    return provider;
  }

  #create(id: Pooled, params: StoredParameters): EmailProvider {
    switch (id) {
      case 'smtp': return createSmtpProvider({ settings: smtpSettings(this.#ctx, params) });
      case 'graph': return createGraphProvider({ settings: graphSettings(this.#ctx, params) });
      case 'exchange': return createExchangeProvider({ settings: exchangeSettings(this.#ctx, params) });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#built.values()].map((b) => b.provider.close?.()));
    this.#built.clear();
  }
}
