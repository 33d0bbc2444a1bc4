// Test and enable: checks each channel of a mailbox that synchronizes (incoming, outgoing;
// appointments/contacts/tasks where the server type has them), records Not run / Success /
// Failure with the step and the server's words, and enables what passed.
import type { AppContext } from '../app-context.ts';
import { isMailroomError, MailroomError } from '../errors.ts';
import type { ConnectionTestReport, ConnectorConfig, MailboxConnector, ServerEndpoint } from './connectors/connector.ts';
import { createConnector } from './connectors/create-connector.ts';
import type { Channel } from '../store/tables.ts';
import type { User } from '../users/users.service.ts';
import { raiseMailboxAlert } from './alerts.service.ts';
import { credentialsFor, getMailboxFor, toMailboxView, type ChannelTest, type MailboxRow, type MailboxView } from './mailboxes.service.ts';
import { findProfileRow, type ProfileRow } from './server-profiles.service.ts';
import { wakeWaitingEmails } from './outgoing/wake-waiting.ts';

export const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

export type ConnectorFactory = (config: ConnectorConfig) => MailboxConnector;

export interface CheckOptions {
  /** createConnector by default; the seam where another protocol's connector plugs in. */
  readonly connectorFactory?: ConnectorFactory;
  readonly timeoutMs?: number;
}

/** A channel's server with the credentials it signs in with (the mailbox's or the profile's). */
function endpoint(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, channel: 'incoming' | 'outgoing'): ServerEndpoint {
  const { username, password } = credentialsFor(ctx, mailbox, profile, channel);
  const incoming = channel === 'incoming';
  return {
    host: incoming ? profile.incoming_host : profile.outgoing_host,
    port: incoming ? profile.incoming_port : profile.outgoing_port,
    ssl: (incoming ? profile.incoming_ssl : profile.outgoing_ssl) === 1,
    verifyCertificate: profile.verify_certificate === 1,
    ...(profile.trusted_ca ? { ca: profile.trusted_ca } : {}),
    username, password,
  };
}

/**
 * The connector configuration of a mailbox; throws MAILBOX_CREDENTIALS_MISSING when a channel
 * that is asked for has no credentials to sign in with.
 */
export function connectorConfig(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, channels: readonly ('incoming' | 'outgoing')[], timeoutMs = DEFAULT_CHECK_TIMEOUT_MS): ConnectorConfig {
  const blank: ServerEndpoint = { host: profile.incoming_host, port: profile.incoming_port, ssl: profile.incoming_ssl === 1, username: '', password: '' };
  return {
    type: profile.server_type === 'pop3' ? 'pop3' : 'imap',
    incoming: channels.includes('incoming') ? endpoint(ctx, mailbox, profile, 'incoming') : blank,
    outgoing: channels.includes('outgoing') ? endpoint(ctx, mailbox, profile, 'outgoing') : undefined,
    timeoutMs,
  };
}

export async function mailboxProfile(ctx: AppContext, mailbox: MailboxRow): Promise<ProfileRow> {
  if (!mailbox.profile_id) throw new MailroomError('MAILBOX_NO_PROFILE', { message: `The mailbox ${mailbox.email} has no email server profile.` });
  return findProfileRow(ctx, mailbox.profile_id);
}

/** A failed report as the error the alerts and the retry policy work with. */
export const reportError = (report: ConnectionTestReport) =>
  new MailroomError(report.failure!.code, { message: report.failure!.message, response: report.failure!.response });

function toTest(report: ConnectionTestReport, at: number): ChannelTest {
  const failed = report.steps.find((s) => !s.ok);
  const step = failed?.step ?? report.steps.at(-1)?.step ?? 'connect';
  if (report.ok) return { status: 'success', step, steps: report.steps, at };
  const f = report.failure!;
  return { status: 'failure', step, steps: report.steps, code: f.code, message: f.message, response: f.response, at };
}

/** Checks one channel through the connector; missing credentials fail at the authenticate step. */
export async function checkMailboxChannel(ctx: AppContext, mailbox: MailboxRow, profile: ProfileRow, channel: 'incoming' | 'outgoing', options: CheckOptions = {}): Promise<ConnectionTestReport> {
  let config: ConnectorConfig;
  try {
    config = connectorConfig(ctx, mailbox, profile, [channel], options.timeoutMs);
  } catch (err) {
    if (!isMailroomError(err)) throw err;
    return { channel, ok: false, steps: [{ step: 'authenticate', ok: false, detail: err.message }], failure: { code: err.code, transient: false, message: err.message } };
  }
  const connector = (options.connectorFactory ?? createConnector)(config);
  try {
    return await connector.test(channel);
  } finally {
    await connector.close();
  }
}

/** Tests and enables a mailbox the actor may see; returns the mailbox with its new statuses. */
export async function testAndEnable(ctx: AppContext, actor: User, ref: string, options: CheckOptions = {}): Promise<MailboxView> {
  return testAndEnableRow(ctx, await getMailboxFor(ctx, actor, ref), options);
}

export async function testAndEnableRow(ctx: AppContext, mailbox: MailboxRow, options: CheckOptions = {}): Promise<MailboxView> {
  const profile = await mailboxProfile(ctx, mailbox);
  const tests = JSON.parse(mailbox.test_results) as Partial<Record<Channel, ChannelTest>>;
  const next: MailboxRow = { ...mailbox };
  const now = () => ctx.clock.now();
  const passed: Channel[] = [];
  const failed: { channel: Channel; test: ChannelTest }[] = [];
  for (const channel of ['incoming', 'outgoing'] as const) {
    if (mailbox[`${channel}_method`] !== 'sss') {
      next[`${channel}_status`] = 'not-run'; next[`${channel}_enabled`] = 0; delete tests[channel];
      continue;
    }
    const test = toTest(await checkMailboxChannel(ctx, mailbox, profile, channel, options), now());
    tests[channel] = test;
    next[`${channel}_status`] = test.status;
    next[`${channel}_enabled`] = test.status === 'success' ? 1 : 0;
    if (test.status === 'success') passed.push(channel); else failed.push({ channel, test });
  }
  // IMAP and POP3 carry no appointments, contacts or tasks: the channel stays Not run.
  next.act_status = 'not-run'; next.act_enabled = 0;
  const at = now();
  Object.assign(next, {
    test_results: JSON.stringify(tests), updated_at: at, next_poll_at: at, next_retry_at: null,
    ...(failed.length === 0 ? { last_error_code: null, last_error_count: 0, last_error_at: null, last_error_response: null, last_error_channel: null } : {}),
  });
  const { id, created_at, claimed_by, lease_until, ...columns } = next;
  await ctx.db.updateTable('mailbox').set(columns).where('id', '=', id).execute();
  // Email activities that waited for the outgoing channel go out now.
  if (passed.includes('outgoing')) await wakeWaitingEmails(ctx, id);
  if (passed.length > 0) {
    await raiseMailboxAlert(ctx, next, { level: 'information', message: `Test and enable: ${passed.join(' and ')} of ${mailbox.email} passed and ${passed.length > 1 ? 'are' : 'is'} enabled.` });
  }
  for (const { channel, test } of failed) {
    await raiseMailboxAlert(ctx, next, {
      level: 'error', channel, code: test.code, response: test.response,
      message: `Test and enable: the ${channel} channel of ${mailbox.email} failed at ${test.step}: ${test.message}`,
    });
  }
  return toMailboxView(next, at);
}
