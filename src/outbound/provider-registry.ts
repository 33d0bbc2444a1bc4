import { emlOutboxDir, type AppContext } from '../app-context.ts';
import { MailroomError, type ErrorCode } from '../errors.ts';
import { createEmlProvider } from '../providers/eml/eml-provider.ts';
import { createExchangeProvider } from '../providers/exchange/exchange-provider.ts';
import { createGraphProvider } from '../providers/graph/graph-provider.ts';
import type { EmailProvider } from '../providers/provider.ts';
import { createSmtpProvider } from '../providers/smtp/smtp-provider.ts';
import { isOffice365, OFFICE365_PER_MINUTE_LIMIT } from '../providers/smtp/smtp-settings.ts';
import { PROVIDER_IDS, type ProviderId } from '../store/tables.ts';
import { afterMailboxSend, copyPendingToSent, type AfterSendOptions } from '../sync/outgoing/after-send.ts';
import { HOLD_RECHECK_MS, outgoingChannel } from '../sync/outgoing/outgoing-channel.ts';
import { effectiveThrottle, exchangeSettings, graphSettings, isExchangeConfigured, isGraphConfigured, smtpSettings, type StoredParameters } from './email-parameters.ts';
import type { EmailRow, Outcome } from './email.repository.ts';

/** How an email goes out now: its provider and the per-minute window it counts against, or why it waits. */
export type Route =
  | { readonly kind: 'ready'; readonly provider: EmailProvider; readonly throttle: { readonly key: string; readonly limit: number } }
  | { readonly kind: 'wait'; readonly code: ErrorCode; readonly message: string; readonly recheckMs: number };

/** SMTP connections per mailbox: a mailbox sends what one person writes, and many mailboxes share a server. */
const MAILBOX_CONNECTIONS = 2;

export function assertProviderId(id: string): asserts id is ProviderId {
  if (!PROVIDER_IDS.includes(id as ProviderId)) throw new MailroomError('UNKNOWN_PROVIDER', { message: `There is no email provider "${id}".`, details: { provider: id } });
}

/** What assertSendable refuses with: the provider's settings are missing. */
export const NOT_SET_UP = ['SMTP_NOT_CONFIGURED', 'SMTP_AUTH_INCOMPLETE', 'GRAPH_NOT_CONFIGURED', 'EXCHANGE_NOT_CONFIGURED'] as const;

/** Refuses a provider whose settings are missing, before anything is queued for it. */
export function assertSendable(id: ProviderId, params: StoredParameters): void {
  if (id === 'smtp' && !params.smtp.host) throw new MailroomError('SMTP_NOT_CONFIGURED');
  // Saved before the parameters refused it: said for what it is, not as a missing server.
  if (id === 'smtp' && params.smtp.authRequired && !params.smtp.username.trim()) throw new MailroomError('SMTP_AUTH_INCOMPLETE');
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
  readonly #mailboxes = new Map<string, { key: string; provider: EmailProvider }>();
  readonly #eml: EmailProvider;
  readonly #afterSend: AfterSendOptions;

  constructor(ctx: AppContext, options: AfterSendOptions = {}) {
    this.#ctx = ctx;
    this.#eml = createEmlProvider({ outboxDir: emlOutboxDir(ctx) });
    this.#afterSend = options;
  }

  /**
   * The route of one queued email. A mailbox email goes out through the mailbox's own outgoing
   * server, counted per server against the SMTP per-minute limit, or waits while the mailbox may
   * not send (not approved, not enabled for outgoing, its channel failing).
   */
  async route(row: EmailRow, params: StoredParameters): Promise<Route> {
    if (row.provider !== 'mailbox') {
      return { kind: 'ready', provider: this.get(row.provider, params), throttle: { key: row.provider, limit: effectiveThrottle(params)[row.provider] } };
    }
    if (!row.mailbox_id) throw new MailroomError('MAILBOX_GONE', { message: 'The email names no mailbox to send it.' });
    const channel = await outgoingChannel(this.#ctx, row.mailbox_id);
    if (channel.kind === 'wait') return { ...channel, recheckMs: HOLD_RECHECK_MS };
    const { settings } = channel;
    const key = JSON.stringify(settings);
    let built = this.#mailboxes.get(row.mailbox_id);
    if (built?.key !== key) {
      void built?.provider.close?.();
      built = { key, provider: createSmtpProvider({ settings, maxConnections: MAILBOX_CONNECTIONS }) };
      this.#mailboxes.set(row.mailbox_id, built);
    }
    const limit = isOffice365(settings.host) ? OFFICE365_PER_MINUTE_LIMIT : params.throttle.smtp;
    return { kind: 'ready', provider: built.provider, throttle: { key: `smtp:${settings.host.toLowerCase()}:${settings.port}`, limit } };
  }

  /** After an email's outcome is committed: what it means for the mailbox that sent it (alerts, the Sent folder). */
  async recorded(row: EmailRow, raw: Buffer, outcome: Outcome): Promise<void> {
    if (row.provider === 'mailbox') await afterMailboxSend(this.#ctx, row, raw, outcome, this.#afterSend);
  }

  /** Once per distributor pass: Sent-folder copies a stopped worker left to make. */
  async housekeeping(): Promise<void> {
    await copyPendingToSent(this.#ctx, this.#afterSend);
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
    await Promise.all([...this.#built.values(), ...this.#mailboxes.values()].map((b) => b.provider.close?.()));
    this.#built.clear();
    this.#mailboxes.clear();
  }
}
