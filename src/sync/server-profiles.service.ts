// Email server profiles: where the mailboxes' servers are, how they sign in, how often they are
// polled and how many connections they may hold at once. Credentials are sealed with the
// environment's secret box and never returned.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { readTrustedCa } from '../security/trusted-ca.ts';
import { SERVER_TYPES, type EmailServerProfileTable, type ServerType } from '../store/tables.ts';
import { findUser } from '../users/users.service.ts';

export type ProfileRow = Selectable<EmailServerProfileTable>;
export const AVAILABLE_SERVER_TYPES = ['imap', 'pop3'] as const satisfies readonly ServerType[];
export const AUTH_PROTOCOLS = ['auto', 'basic'] as const;
export type AuthProtocol = (typeof AUTH_PROTOCOLS)[number];

export interface ProfileInput {
  readonly name?: string;
  readonly description?: string;
  readonly serverType?: string;
  /** A user id or user name; the creator when left out. */
  readonly owner?: string;
  readonly isDefault?: boolean;
  readonly incomingHost?: string;
  /** 0 or left out: filled from the server type and SSL. */
  readonly incomingPort?: number;
  readonly incomingSsl?: boolean;
  readonly incomingAuth?: string;
  readonly outgoingHost?: string;
  readonly outgoingPort?: number;
  readonly outgoingSsl?: boolean;
  readonly outgoingAuth?: string;
  readonly credentialsFrom?: 'mailbox' | 'profile';
  readonly username?: string;
  /** Sets the password; '' or null clears it. */
  readonly password?: string | null;
  readonly outgoingSameSettings?: boolean;
  readonly outgoingUsername?: string;
  readonly outgoingPassword?: string | null;
  readonly verifyCertificate?: boolean;
  /** PEM certificates of a private authority to trust for these servers; '' or null clears them. */
  readonly trustedCa?: string | null;
  /** YYYY-MM-DD or an ISO time; null clears it. */
  readonly processEmailFrom?: string | null;
  readonly minPollingMinutes?: number;
  readonly maxConnections?: number;
  readonly moveFailedToUndeliverable?: boolean;
  readonly alertOnMajorityFailure?: boolean;
}

export interface ServerProfile {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly serverType: ServerType;
  readonly ownerId: string;
  readonly isDefault: boolean;
  readonly incomingHost: string;
  readonly incomingPort: number;
  readonly incomingSsl: boolean;
  readonly incomingAuth: string;
  readonly outgoingHost: string;
  readonly outgoingPort: number;
  readonly outgoingSsl: boolean;
  readonly outgoingAuth: string;
  readonly credentialsFrom: 'mailbox' | 'profile';
  readonly username: string;
  readonly passwordSet: boolean;
  readonly outgoingSameSettings: boolean;
  readonly outgoingUsername: string;
  readonly outgoingPasswordSet: boolean;
  readonly verifyCertificate: boolean;
  /** The trusted authorities' certificates (public, so shown), '' for none. */
  readonly trustedCa: string;
  readonly processEmailFrom: string | null;
  readonly minPollingMinutes: number;
  readonly maxConnections: number;
  readonly moveFailedToUndeliverable: boolean;
  readonly alertOnMajorityFailure: boolean;
  readonly lastTest: { readonly at: number; readonly result: unknown } | null;
}

/** Well-known ports: implicit TLS where SSL is on (STARTTLS for SMTP submission), plain otherwise. */
export function defaultPort(protocol: 'imap' | 'pop3' | 'smtp', ssl: boolean): number {
  if (protocol === 'imap') return ssl ? 993 : 143;
  if (protocol === 'pop3') return ssl ? 995 : 110;
  return ssl ? 587 : 25;
}

export function toProfile(row: ProfileRow): ServerProfile {
  return {
    id: row.id, name: row.name, description: row.description, serverType: row.server_type, ownerId: row.owner_id, isDefault: row.is_default === 1,
    incomingHost: row.incoming_host, incomingPort: row.incoming_port, incomingSsl: row.incoming_ssl === 1, incomingAuth: row.incoming_auth,
    outgoingHost: row.outgoing_host, outgoingPort: row.outgoing_port, outgoingSsl: row.outgoing_ssl === 1, outgoingAuth: row.outgoing_auth,
    credentialsFrom: row.credentials_from, username: row.username, passwordSet: row.password_sealed !== '',
    outgoingSameSettings: row.outgoing_same_settings === 1, outgoingUsername: row.outgoing_username, outgoingPasswordSet: row.outgoing_password_sealed !== '',
    verifyCertificate: row.verify_certificate === 1, trustedCa: row.trusted_ca,
    processEmailFrom: row.process_email_from === null ? null : new Date(row.process_email_from).toISOString(),
    minPollingMinutes: row.min_polling_minutes, maxConnections: row.max_connections,
    moveFailedToUndeliverable: row.move_failed_to_undeliverable === 1, alertOnMajorityFailure: row.alert_on_majority_failure === 1,
    lastTest: row.last_test_at === null ? null : { at: row.last_test_at, result: JSON.parse(row.last_test_result ?? 'null') },
  };
}

const invalid = (field: string, message: string) => new MailroomError('INVALID_PARAMETER', { message: `${field}: ${message}`, details: [{ field, message }] });

function checkRange(field: string, value: number, min: number, max: number) {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(field, `Enter a whole number from ${min} to ${max}.`);
}

function checkHost(field: string, host: string) {
  if (host.length > 253 || /[\s/:@]/.test(host)) throw invalid(field, 'Give a host name or IP address only, without scheme, port or spaces.');
}

export function parseDate(field: string, value: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw invalid(field, 'Give a date as YYYY-MM-DD or an ISO time.');
  return ms;
}

function checkServerType(value: string): ServerType {
  if (!(SERVER_TYPES as readonly string[]).includes(value)) throw invalid('serverType', `Choose one of: ${SERVER_TYPES.join(', ')}.`);
  if (!(AVAILABLE_SERVER_TYPES as readonly string[]).includes(value)) {
    throw new MailroomError('SERVER_TYPE_NOT_AVAILABLE', { message: `The server type ${value} is not available yet; choose imap or pop3.`, details: { field: 'serverType' } });
  }
  return value as ServerType;
}

function checkAuth(field: string, value: string): string {
  if (!(AUTH_PROTOCOLS as readonly string[]).includes(value)) throw invalid(field, `Choose one of: ${AUTH_PROTOCOLS.join(', ')}.`);
  return value;
}

const bit = (b: boolean | undefined, current: number) => (b === undefined ? current : b ? 1 : 0);
const seal = (ctx: AppContext, password: string | null | undefined, current: string) =>
  password === undefined ? current : password ? ctx.secrets.seal(password) : '';

/** The row after applying input to the current row (or to the defaults of a new profile). */
async function applyInput(ctx: AppContext, current: ProfileRow, input: ProfileInput): Promise<ProfileRow> {
  const row: ProfileRow = { ...current };
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (name === '' || name.length > 100) throw invalid('name', 'A name is required, at most 100 characters.');
    row.name = name;
  }
  if (input.description !== undefined) {
    if (input.description.length > 2000) throw invalid('description', 'Use at most 2000 characters.');
    row.description = input.description;
  }
  if (input.serverType !== undefined) row.server_type = checkServerType(input.serverType);
  if (input.owner !== undefined) row.owner_id = (await findUser(ctx, input.owner)).id;
  row.is_default = bit(input.isDefault, row.is_default);
  if (input.incomingHost !== undefined) { checkHost('incomingHost', input.incomingHost.trim()); row.incoming_host = input.incomingHost.trim(); }
  if (input.outgoingHost !== undefined) { checkHost('outgoingHost', input.outgoingHost.trim()); row.outgoing_host = input.outgoingHost.trim(); }
  row.incoming_ssl = bit(input.incomingSsl, row.incoming_ssl);
  row.outgoing_ssl = bit(input.outgoingSsl, row.outgoing_ssl);
  if (input.incomingPort !== undefined) { checkRange('incomingPort', input.incomingPort, 0, 65535); row.incoming_port = input.incomingPort; }
  if (input.outgoingPort !== undefined) { checkRange('outgoingPort', input.outgoingPort, 0, 65535); row.outgoing_port = input.outgoingPort; }
  // Ports left empty (0) are filled from the type and SSL; a port that was the old default follows a change of either.
  const proto = (type: ServerType) => (type === 'pop3' ? 'pop3' : 'imap');
  const wasDefault = current.incoming_port === defaultPort(proto(current.server_type), current.incoming_ssl === 1);
  if (input.incomingPort === undefined && wasDefault && (row.server_type !== current.server_type || row.incoming_ssl !== current.incoming_ssl)) row.incoming_port = 0;
  if (input.outgoingPort === undefined && current.outgoing_port === defaultPort('smtp', current.outgoing_ssl === 1) && row.outgoing_ssl !== current.outgoing_ssl) row.outgoing_port = 0;
  if (row.incoming_port === 0) row.incoming_port = defaultPort(proto(row.server_type), row.incoming_ssl === 1);
  if (row.outgoing_port === 0) row.outgoing_port = defaultPort('smtp', row.outgoing_ssl === 1);
  if (input.incomingAuth !== undefined) row.incoming_auth = checkAuth('incomingAuth', input.incomingAuth);
  if (input.outgoingAuth !== undefined) row.outgoing_auth = checkAuth('outgoingAuth', input.outgoingAuth);
  if (input.credentialsFrom !== undefined) {
    if (input.credentialsFrom !== 'mailbox' && input.credentialsFrom !== 'profile') throw invalid('credentialsFrom', 'Choose one of: mailbox, profile.');
    row.credentials_from = input.credentialsFrom;
  }
  for (const [field, value] of [['username', input.username], ['outgoingUsername', input.outgoingUsername], ['password', input.password], ['outgoingPassword', input.outgoingPassword]] as const) {
    if (value && (value.length > 320 || /[\r\n]/.test(value) || (field.endsWith('sername') && /\s/.test(value)))) throw invalid(field, 'Use at most 320 characters, without line breaks (and no spaces in a user name).');
  }
  if (input.username !== undefined) row.username = input.username;
  row.password_sealed = seal(ctx, input.password, row.password_sealed);
  row.outgoing_same_settings = bit(input.outgoingSameSettings, row.outgoing_same_settings);
  if (input.outgoingUsername !== undefined) row.outgoing_username = input.outgoingUsername;
  row.outgoing_password_sealed = seal(ctx, input.outgoingPassword, row.outgoing_password_sealed);
  row.verify_certificate = bit(input.verifyCertificate, row.verify_certificate);
  if (input.trustedCa !== undefined) row.trusted_ca = readTrustedCa('trustedCa', input.trustedCa);
  if (input.processEmailFrom !== undefined) row.process_email_from = input.processEmailFrom === null ? null : parseDate('processEmailFrom', input.processEmailFrom);
  if (input.minPollingMinutes !== undefined) { checkRange('minPollingMinutes', input.minPollingMinutes, 0, 1440); row.min_polling_minutes = input.minPollingMinutes; }
  if (input.maxConnections !== undefined) { checkRange('maxConnections', input.maxConnections, 1, 300); row.max_connections = input.maxConnections; }
  row.move_failed_to_undeliverable = bit(input.moveFailedToUndeliverable, row.move_failed_to_undeliverable);
  row.alert_on_majority_failure = bit(input.alertOnMajorityFailure, row.alert_on_majority_failure);
  if (row.incoming_host === '') throw invalid('incomingHost', 'The incoming server location is required.');
  if (row.outgoing_host === '' && row.outgoing_same_settings === 1) row.outgoing_host = row.incoming_host;
  if (row.outgoing_host === '') throw invalid('outgoingHost', 'The outgoing server location is required.');
  return row;
}

export async function createProfile(ctx: AppContext, creatorId: string, input: ProfileInput): Promise<ServerProfile> {
  if (input.name === undefined) throw invalid('name', 'A name is required, at most 100 characters.');
  if (input.serverType === undefined) throw invalid('serverType', `Choose one of: ${SERVER_TYPES.join(', ')}.`);
  const now = ctx.clock.now();
  const blank: ProfileRow = {
    id: randomUUID(), name: '', description: '', server_type: checkServerType(input.serverType), owner_id: creatorId, is_default: 0,
    incoming_host: '', incoming_port: 0, incoming_ssl: 1, outgoing_host: '', outgoing_port: 0, outgoing_ssl: 1,
    incoming_auth: 'auto', outgoing_auth: 'auto', credentials_from: 'mailbox', username: '', password_sealed: '',
    outgoing_same_settings: 1, outgoing_username: '', outgoing_password_sealed: '', verify_certificate: 1, trusted_ca: '',
    process_email_from: null, min_polling_minutes: 1, max_connections: 10, move_failed_to_undeliverable: 0, alert_on_majority_failure: 0,
    last_test_at: null, last_test_result: null, majority_alert_at: null, created_at: now, updated_at: now,
  };
  const row = await applyInput(ctx, blank, input);
  await ctx.db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('email_server_profile').select('id').where('name', '=', row.name).executeTakeFirst()) {
      throw new MailroomError('CONFLICT', { message: `A profile named ${row.name} exists.` });
    }
    if (row.is_default === 1) await trx.updateTable('email_server_profile').set({ is_default: 0 }).execute();
    await trx.insertInto('email_server_profile').values(row).execute();
  });
  return toProfile(row);
}

export async function updateProfile(ctx: AppContext, ref: string, input: ProfileInput): Promise<ServerProfile> {
  const current = await findProfileRow(ctx, ref);
  const row = { ...(await applyInput(ctx, current, input)), updated_at: ctx.clock.now() };
  await ctx.db.transaction().execute(async (trx) => {
    const clash = await trx.selectFrom('email_server_profile').select('id').where('name', '=', row.name).where('id', '!=', row.id).executeTakeFirst();
    if (clash) throw new MailroomError('CONFLICT', { message: `A profile named ${row.name} exists.` });
    if (row.is_default === 1) await trx.updateTable('email_server_profile').set({ is_default: 0 }).where('id', '!=', row.id).execute();
    const { id, created_at, ...changes } = row;
    await trx.updateTable('email_server_profile').set(changes).where('id', '=', id).execute();
  });
  return toProfile(row);
}

export async function findProfileRow(ctx: AppContext, ref: string): Promise<ProfileRow> {
  const row = await ctx.db.selectFrom('email_server_profile').selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No email server profile ${ref}.` });
  return row;
}

export const getProfile = async (ctx: AppContext, ref: string) => toProfile(await findProfileRow(ctx, ref));

export async function listProfiles(ctx: AppContext): Promise<ServerProfile[]> {
  return (await ctx.db.selectFrom('email_server_profile').selectAll().orderBy('name').execute()).map(toProfile);
}

export async function defaultProfileId(ctx: AppContext): Promise<string | null> {
  const row = await ctx.db.selectFrom('email_server_profile').select('id').where('is_default', '=', 1).executeTakeFirst();
  return row?.id ?? null;
}

export async function recordProfileTest(ctx: AppContext, id: string, result: unknown): Promise<void> {
  await ctx.db.updateTable('email_server_profile').set({ last_test_at: ctx.clock.now(), last_test_result: JSON.stringify(result) }).where('id', '=', id).execute();
}
