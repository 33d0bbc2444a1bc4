import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { AppContext } from '../app-context.ts';
import { schemaProblems } from '../config/schema-problems.ts';
import { MailroomError } from '../errors.ts';
import { isOffice365, OFFICE365_PER_MINUTE_LIMIT, type SmtpSettings } from '../providers/smtp/smtp-settings.ts';
import { readSettingText, writeSetting } from './settings.repository.ts';
import { ExchangeStoredSchema, exchangeProblems, type ExchangeChange, type ExchangeSettings } from '../providers/exchange/exchange-settings.ts';
import { GraphStoredSchema, graphProblems, type GraphChange, type GraphSettings } from '../providers/graph/graph-settings.ts';

const DEFAULT_DAYS = 30;
const limit = (max: number, dflt: number) => Type.Integer({ minimum: 0, maximum: max, default: dflt });

/** The Email parameters page as stored. The SMTP password is kept sealed, never in clear. */
export const StoredParametersSchema = Type.Object({
  batchProvider: Type.Union([Type.Literal('smtp'), Type.Literal('eml'), Type.Literal('graph'), Type.Literal('exchange')], { default: 'smtp' }),
  /** The whole message, attachments included, in megabytes. */
  attachmentSizeLimitMb: Type.Integer({ minimum: 1, maximum: 150, default: 10 }),
  /** To, Cc and Bcc together, counted after each entry's list is split (Exchange Online's limit is 500). */
  recipientLimit: Type.Integer({ minimum: 1, maximum: 100_000, default: 500 }),
  /** 0 means the default of 30 days. */
  expirationDays: limit(365, 0),
  /** 0 means the default of 30 days. */
  historyRetentionDays: limit(3650, 0),
  /** Per-minute sending limit per provider; 0 means no limit. */
  throttle: Type.Object({
    smtp: limit(100_000, 0), eml: limit(100_000, 0), graph: limit(100_000, 0), exchange: limit(100_000, 0),
  }, { default: {}, additionalProperties: false }),
  smtp: Type.Object({
    host: Type.String({ maxLength: 253, default: '' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
    sslRequired: Type.Boolean({ default: true }),
    /** TLS from the first byte (SMTPS) instead of STARTTLS; always so on port 465. */
    implicitTls: Type.Boolean({ default: false }),
    authRequired: Type.Boolean({ default: false }),
    username: Type.String({ maxLength: 320, default: '' }),
    passwordSealed: Type.String({ default: '' }),
    verifyCertificate: Type.Boolean({ default: true }),
  }, { default: {}, additionalProperties: false }),
  graph: GraphStoredSchema,
  exchange: ExchangeStoredSchema,
}, { additionalProperties: false });

export type StoredParameters = Static<typeof StoredParametersSchema>;

/** What the API shows: secrets only as set or not set. */
export type PublicParameters = Omit<StoredParameters, 'smtp' | 'graph' | 'exchange'> & {
  smtp: Omit<StoredParameters['smtp'], 'passwordSealed'> & { passwordSet: boolean };
  graph: Omit<StoredParameters['graph'], 'clientSecretSealed'> & { clientSecretSet: boolean; configured: boolean };
  exchange: Omit<StoredParameters['exchange'], 'passwordSealed'> & { passwordSet: boolean; configured: boolean };
  effective: { expirationDays: number; historyRetentionDays: number; throttle: StoredParameters['throttle']; smtpLimitAutomatic: boolean };
  /** Settings that work but are not recommended, in plain words (the console shows them). */
  warnings: { field: string; message: string }[];
};

/** A change as a caller gives it: any subset; smtp.password sets (string) or clears (null or ''). */
export interface ParametersChange {
  batchProvider?: StoredParameters['batchProvider'];
  attachmentSizeLimitMb?: number;
  recipientLimit?: number;
  expirationDays?: number;
  historyRetentionDays?: number;
  throttle?: Partial<StoredParameters['throttle']>;
  smtp?: Partial<Omit<StoredParameters['smtp'], 'passwordSealed'>> & { password?: string | null };
  graph?: GraphChange;
  exchange?: ExchangeChange;
}

/** The key of the Email parameters in the setting table. */
export const PARAMETERS_KEY = 'email_parameters';
const KEY = PARAMETERS_KEY;

export async function readParameters(ctx: AppContext): Promise<StoredParameters> {
  return parseParameters(await readSettingText(ctx.db, KEY));
}

/** The parameters from their stored text (null: none stored yet, all defaults). */
export function parseParameters(text: string | null): StoredParameters {
  // Value.Default fills defaults in place, in a freshly parsed object: nothing shared changes.
  return Value.Default(StoredParametersSchema, text === null ? {} : JSON.parse(text)) as StoredParameters;
}

export function toPublic(p: StoredParameters): PublicParameters {
  const { passwordSealed, ...smtp } = p.smtp;
  const { clientSecretSealed, ...graph } = p.graph;
  const { passwordSealed: exchangePasswordSealed, ...exchange } = p.exchange;
  return {
    ...p,
    smtp: { ...smtp, passwordSet: passwordSealed !== '' },
    graph: { ...graph, clientSecretSet: clientSecretSealed !== '', configured: isGraphConfigured(p) },
    exchange: { ...exchange, passwordSet: exchangePasswordSealed !== '', configured: isExchangeConfigured(p) },
    warnings: throttleWarnings(p),
    effective: {
      expirationDays: p.expirationDays || DEFAULT_DAYS,
      historyRetentionDays: p.historyRetentionDays || DEFAULT_DAYS,
      throttle: effectiveThrottle(p),
      smtpLimitAutomatic: isOffice365(p.smtp.host),
    },
  };
}

export async function updateParameters(ctx: AppContext, change: ParametersChange): Promise<StoredParameters> {
  const current = await readParameters(ctx);
  const { password, ...smtpChange } = change.smtp ?? {};
  const { clientSecret, ...graphChange } = change.graph ?? {};
  const { password: exchangePassword, ...exchangeChange } = change.exchange ?? {};
  const next: unknown = {
    ...current,
    ...pick(change, ['batchProvider', 'attachmentSizeLimitMb', 'recipientLimit', 'expirationDays', 'historyRetentionDays']),
    throttle: { ...current.throttle, ...change.throttle },
    smtp: { ...current.smtp, ...smtpChange },
    graph: { ...current.graph, ...graphChange },
    exchange: { ...current.exchange, ...exchangeChange },
  };
  const problems = schemaProblems(StoredParametersSchema, next);
  const candidate = next as StoredParameters;
  if (typeof candidate.smtp?.host === 'string' && /[\s\/:@]/.test(candidate.smtp.host.trim())) {
    problems.push({ field: 'smtp.host', message: 'Give a host name or IP address only, without scheme, port or spaces.' });
  }
  if (typeof change.smtp?.host === 'string' && change.smtp.host.trim() === '' && candidate.batchProvider === 'smtp') {
    problems.push({ field: 'smtp.host', message: 'An outgoing mail server is needed while SMTP is the batch email provider: give one, or choose another batch provider on the Configuration tab first.' });
  }
  problems.push(...graphProblems(candidate.graph), ...exchangeProblems(candidate.exchange));
  if (candidate.smtp?.authRequired === true && typeof candidate.smtp.username === 'string' && !candidate.smtp.username.trim() && change.smtp !== undefined) {
    problems.push({ field: 'smtp.username', message: 'Authentication is required: give the SMTP user name (and password), or turn authentication off.' });
  }
  // The batch provider must be able to send: chosen (or left in place by a change to its own tab)
  // while its settings are incomplete, every batch email would fail.
  const batch = candidate.batchProvider;
  if ((batch === 'graph' || batch === 'exchange') && (change.batchProvider !== undefined || change[batch] !== undefined) && problems.length === 0) {
    const ready = batch === 'graph' ? isGraphConfigured(withSecrets(candidate, clientSecret, exchangePassword)) : isExchangeConfigured(withSecrets(candidate, clientSecret, exchangePassword));
    if (!ready) problems.push({ field: 'batchProvider', message: `${PROVIDER_LABELS[batch]} is not set up yet: complete its tab first (a batch provider that cannot send fails every email).` });
  }
  if (batch === 'smtp' && change.batchProvider === 'smtp' && !candidate.smtp.host?.trim()) {
    problems.push({ field: 'batchProvider', message: 'SMTP has no outgoing mail server yet: enter it on the SMTP settings tab first.' });
  }
  // Sealed values are written only by sealing a secret given in clear, never taken as given.
  for (const [section, key] of [['smtp', 'passwordSealed'], ['graph', 'clientSecretSealed'], ['exchange', 'passwordSealed']] as const) {
    if (change[section] && key in change[section]) problems.push({ field: `${section}.${key}`, message: 'This setting does not exist.' });
  }
  for (const [field, value] of [['graph.clientSecret', clientSecret], ['exchange.password', exchangePassword]] as const) {
    if (value !== undefined && value !== null && typeof value !== 'string') problems.push({ field, message: 'Give the secret as text; null or an empty text clears it.' });
  }
  if (problems.length > 0) {
    throw new MailroomError('INVALID_PARAMETER', { message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), details: problems });
  }
  candidate.smtp.host = candidate.smtp.host.trim();
  if (password !== undefined) candidate.smtp.passwordSealed = password ? ctx.secrets.seal(password) : '';
  if (clientSecret !== undefined) candidate.graph.clientSecretSealed = clientSecret ? ctx.secrets.seal(clientSecret) : '';
  if (exchangePassword !== undefined) candidate.exchange.passwordSealed = exchangePassword ? ctx.secrets.seal(exchangePassword) : '';
  // Exchange Online's limit is set for the Office 365 SMTP server; other servers are manual.
  if (isOffice365(candidate.smtp.host)) candidate.throttle.smtp = OFFICE365_PER_MINUTE_LIMIT;
  await writeSetting(ctx.db, KEY, candidate, ctx.clock.now());
  return candidate;
}

/** The candidate as it will be once the secrets given in clear are sealed (only whether each is set matters here). */
function withSecrets(p: StoredParameters, clientSecret: string | null | undefined, exchangePassword: string | null | undefined): StoredParameters {
  const set = (given: string | null | undefined, sealed: string) => (given === undefined ? sealed : given ? 'set' : '');
  return {
    ...p,
    graph: { ...p.graph, clientSecretSealed: set(clientSecret, p.graph.clientSecretSealed) },
    exchange: { ...p.exchange, passwordSealed: set(exchangePassword, p.exchange.passwordSealed) },
  };
}

export function effectiveThrottle(p: StoredParameters): StoredParameters['throttle'] {
  return isOffice365(p.smtp.host) ? { ...p.throttle, smtp: OFFICE365_PER_MINUTE_LIMIT } : p.throttle;
}

const PROVIDER_LABELS = { graph: 'Microsoft Graph', exchange: 'Exchange' } as const;

/** Graph and Exchange throttle themselves; a per-minute limit of Mailroom's own only slows them down. */
export function throttleWarnings(p: StoredParameters): { field: string; message: string }[] {
  return (['graph', 'exchange'] as const).filter((id) => p.throttle[id] > 0).map((id) => ({
    field: `throttle.${id}`,
    message: `${PROVIDER_LABELS[id]} has its own throttling, so a per-minute email sending limit is not recommended for it: set throttle.${id} to 0.`,
  }));
}

export const isGraphConfigured = (p: StoredParameters) => Boolean(p.graph.tenantId && p.graph.clientId && p.graph.clientSecretSealed);
export const isExchangeConfigured = (p: StoredParameters) =>
  Boolean((p.exchange.ewsUrl || p.exchange.autodiscover) && p.exchange.username && p.exchange.passwordSealed);

export const expirationMs = (p: StoredParameters) => (p.expirationDays || DEFAULT_DAYS) * 86_400_000;
export const retentionMs = (p: StoredParameters) => (p.historyRetentionDays || DEFAULT_DAYS) * 86_400_000;
export const sizeLimitBytes = (p: StoredParameters) => p.attachmentSizeLimitMb * 1024 * 1024;

/** The SMTP settings with the password opened; throws SECRET_UNDECRYPTABLE for another environment's key. */
export function smtpSettings(ctx: AppContext, p: StoredParameters): SmtpSettings {
  const { passwordSealed, ...rest } = p.smtp;
  return { ...rest, password: passwordSealed ? ctx.secrets.open(passwordSealed) : '' };
}

/** The Microsoft Graph settings tab with the secret opened. */
export function graphSettings(ctx: AppContext, p: StoredParameters): GraphSettings {
  const { clientSecretSealed, ...rest } = p.graph;
  return { ...rest, clientSecret: clientSecretSealed ? ctx.secrets.open(clientSecretSealed) : '' };
}

/** The Exchange settings with the password opened. */
export function exchangeSettings(ctx: AppContext, p: StoredParameters): ExchangeSettings {
  const { passwordSealed, ...rest } = p.exchange;
  return { ...rest, password: passwordSealed ? ctx.secrets.open(passwordSealed) : '' };
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<Pick<T, K>>;
}
