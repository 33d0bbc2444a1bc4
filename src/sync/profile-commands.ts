// The profile's commands: Test connection (each server, step by step) and Test and enable every
// mailbox of the profile (a background job whose progress is a row in sync_job).
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import type { ConnectionTestReport } from './connectors/connector.ts';
import { findProfileRow, recordProfileTest } from './server-profiles.service.ts';
import { checkMailboxChannel, testAndEnableRow, type CheckOptions } from './test-enable.ts';
import type { MailboxRow } from './mailboxes.service.ts';

export interface ProfileTestResult {
  readonly ok: boolean;
  /** Whose credentials signed in: the profile's, or the first mailbox of the profile that has some. */
  readonly signedInAs: string | null;
  readonly servers: readonly ConnectionTestReport[];
}

/**
 * Test connection: connects and signs in to the incoming and the outgoing server, step by step.
 * The profile's own credentials when it holds them; otherwise those of its first mailbox that has
 * credentials, since each mailbox signs in as itself.
 */
export async function testProfileConnection(ctx: AppContext, ref: string, options: CheckOptions = {}): Promise<ProfileTestResult> {
  const profile = await findProfileRow(ctx, ref);
  let mailbox: MailboxRow | undefined;
  if (profile.credentials_from === 'mailbox') {
    mailbox = await ctx.db.selectFrom('mailbox').selectAll().where('profile_id', '=', profile.id)
      .where('allow_credentials', '=', 1).where('username', '!=', '').where('password_sealed', '!=', '').orderBy('email').executeTakeFirst();
  }
  const servers: ConnectionTestReport[] = [];
  if (profile.credentials_from === 'mailbox' && !mailbox) {
    const message = `No mailbox of the profile ${profile.name} has credentials yet, and Test connection signs in as one of them: `
      + `set a mailbox's (mailroom mailboxes set MAILBOX --profile ${profile.name} --username NAME --password …), or give the profile its own (--credentials profile).`;
    for (const channel of ['incoming', 'outgoing'] as const) {
      servers.push({ channel, ok: false, steps: [{ step: 'authenticate', ok: false, detail: message }], failure: { code: 'MAILBOX_CREDENTIALS_MISSING', transient: false, message } });
    }
  } else {
    for (const channel of ['incoming', 'outgoing'] as const) servers.push(await checkMailboxChannel(ctx, mailbox ?? ({ allow_credentials: 0, username: '', password_sealed: '', email: '' } as MailboxRow), profile, channel, options));
  }
  const result = { ok: servers.every((s) => s.ok), signedInAs: profile.credentials_from === 'profile' ? profile.username : mailbox?.email ?? null, servers };
  await recordProfileTest(ctx, profile.id, result);
  return result;
}

export interface SyncJobView {
  readonly id: string;
  readonly kind: string;
  readonly profileId: string;
  readonly status: 'running' | 'done' | 'failed';
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly error: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export async function getSyncJob(ctx: AppContext, id: string): Promise<SyncJobView> {
  const r = await ctx.db.selectFrom('sync_job').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new MailroomError('NOT_FOUND', { message: `No job ${id}.` });
  return { id: r.id, kind: r.kind, profileId: r.profile_id, status: r.status, total: r.total, done: r.done, succeeded: r.succeeded, failed: r.failed, error: r.error, createdAt: r.created_at, updatedAt: r.updated_at };
}

/**
 * Starts Test and enable for every mailbox of the profile; returns the job at once and the
 * promise of its end (the API answers with the job, the CLI waits for the end).
 */
export async function startProfileTestEnable(ctx: AppContext, requestedBy: string, ref: string, options: CheckOptions = {}): Promise<{ job: SyncJobView; finished: Promise<SyncJobView> }> {
  const profile = await findProfileRow(ctx, ref);
  const mailboxes = await ctx.db.selectFrom('mailbox').selectAll().where('profile_id', '=', profile.id).orderBy('email').execute();
  const now = ctx.clock.now();
  const id = randomUUID();
  await ctx.db.insertInto('sync_job').values({
    id, kind: 'profile-test-enable', profile_id: profile.id, status: 'running', total: mailboxes.length, done: 0, succeeded: 0, failed: 0,
    requested_by: requestedBy, error: null, created_at: now, updated_at: now,
  }).execute();
  const job = await getSyncJob(ctx, id);
  const finished = (async () => {
    let succeeded = 0;
    let failed = 0;
    try {
      for (const [i, mailbox] of mailboxes.entries()) {
        const view = await testAndEnableRow(ctx, mailbox, options);
        const ok = Object.values(view.channels).every((c) => c.status !== 'failure');
        if (ok) succeeded++; else failed++;
        await ctx.db.updateTable('sync_job').set({ done: i + 1, succeeded, failed, updated_at: ctx.clock.now() }).where('id', '=', id).execute();
      }
      await ctx.db.updateTable('sync_job').set({ status: 'done', updated_at: ctx.clock.now() }).where('id', '=', id).execute();
    } catch (err) {
      await ctx.db.updateTable('sync_job').set({ status: 'failed', error: (err as Error).message, updated_at: ctx.clock.now() }).where('id', '=', id).execute();
    }
    return getSyncJob(ctx, id);
  })();
  return { job, finished };
}
