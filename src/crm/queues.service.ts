// Queues: shared mailboxes such as support@, with an owner, members, an address, an active state
// and the queue's own tracking option. Each queue gets its mailbox when it is created.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { isValidAddress } from '../mime/addresses.ts';
import { TRACKING_OPTIONS, type QueueTable, type TrackingOption } from '../store/tables.ts';
import { createQueueMailbox } from '../sync/mailboxes.service.ts';
import { findUser } from '../users/users.service.ts';

export interface Queue {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly ownerId: string;
  readonly active: boolean;
  readonly tracking: TrackingOption;
  readonly members: readonly string[];
  readonly mailboxId: string | null;
}

export interface QueueInput {
  readonly name?: string;
  readonly email?: string;
  /** A user id or user name. */
  readonly owner?: string;
  readonly active?: boolean;
  readonly tracking?: string;
  /** User ids or user names; replaces the members. */
  readonly members?: readonly string[];
}

const invalid = (field: string, message: string) => new MailroomError('INVALID_PARAMETER', { message: `${field}: ${message}`, details: [{ field, message }] });

async function view(ctx: AppContext, row: Selectable<QueueTable>): Promise<Queue> {
  const members = await ctx.db.selectFrom('queue_member').innerJoin('app_user', 'app_user.id', 'queue_member.user_id')
    .select('app_user.username').where('queue_id', '=', row.id).orderBy('app_user.username').execute();
  const mailbox = await ctx.db.selectFrom('mailbox').select('id').where('queue_id', '=', row.id).executeTakeFirst();
  return {
    id: row.id, name: row.name, email: row.email, ownerId: row.owner_id, active: row.active === 1, tracking: row.tracking,
    members: members.map((m) => m.username), mailboxId: mailbox?.id ?? null,
  };
}

async function checked(ctx: AppContext, row: Selectable<QueueTable>, input: QueueInput): Promise<{ row: Selectable<QueueTable>; members?: string[] }> {
  const next = { ...row };
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (name === '' || name.length > 160) throw invalid('name', 'A name is required, at most 160 characters.');
    next.name = name;
  }
  if (input.email !== undefined) {
    const email = input.email.trim();
    if (!isValidAddress(email)) throw new MailroomError('INVALID_ADDRESS', { message: `${email} is not a valid email address.`, details: { field: 'email' } });
    next.email = email;
  }
  if (input.owner !== undefined) next.owner_id = (await findUser(ctx, input.owner)).id;
  if (input.active !== undefined) next.active = input.active ? 1 : 0;
  if (input.tracking !== undefined) {
    if (!(TRACKING_OPTIONS as readonly string[]).includes(input.tracking)) throw invalid('tracking', `Choose one of: ${TRACKING_OPTIONS.join(', ')}.`);
    next.tracking = input.tracking as TrackingOption;
  }
  const members = input.members === undefined ? undefined : [...new Set(await Promise.all(input.members.map(async (m) => (await findUser(ctx, m)).id)))];
  return { row: next, members };
}

async function assertUnique(ctx: AppContext, row: Selectable<QueueTable>) {
  const clash = await ctx.db.selectFrom('queue').select(['name', 'email']).where('id', '!=', row.id)
    .where((eb) => eb.or([eb('name', '=', row.name), eb(eb.fn('lower', ['email']), '=', row.email.toLowerCase())])).executeTakeFirst();
  if (clash) throw new MailroomError('CONFLICT', { message: clash.name === row.name ? `A queue named ${row.name} exists.` : `A queue with the address ${row.email} exists.` });
}

export async function createQueue(ctx: AppContext, creatorId: string, input: QueueInput): Promise<Queue> {
  if (input.name === undefined) throw invalid('name', 'A name is required, at most 160 characters.');
  if (input.email === undefined) throw new MailroomError('INVALID_ADDRESS', { message: 'A queue needs an email address.', details: { field: 'email' } });
  const now = ctx.clock.now();
  const blank = { id: randomUUID(), name: '', email: '', owner_id: creatorId, active: 1, tracking: 'all' as TrackingOption, created_at: now, updated_at: now };
  const { row, members = [] } = await checked(ctx, blank, input);
  await assertUnique(ctx, row);
  await ctx.db.insertInto('queue').values(row).execute();
  for (const userId of members) await ctx.db.insertInto('queue_member').values({ queue_id: row.id, user_id: userId }).execute();
  await createQueueMailbox(ctx, row);
  return view(ctx, row);
}

export async function findQueueRow(ctx: AppContext, ref: string): Promise<Selectable<QueueTable>> {
  const row = await ctx.db.selectFrom('queue').selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref), eb(eb.fn('lower', ['email']), '=', ref.toLowerCase())])).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No queue ${ref}.` });
  return row;
}

export const getQueue = async (ctx: AppContext, ref: string) => view(ctx, await findQueueRow(ctx, ref));

/** The queues a user owns or is a member of. */
export async function queueIdsOf(ctx: AppContext, userId: string): Promise<string[]> {
  const rows = await ctx.db.selectFrom('queue').select('id').where((eb) => eb.or([
    eb('owner_id', '=', userId),
    eb.exists(eb.selectFrom('queue_member').select('queue_member.user_id').whereRef('queue_member.queue_id', '=', 'queue.id').where('queue_member.user_id', '=', userId)),
  ])).execute();
  return rows.map((r) => r.id);
}

export async function listQueues(ctx: AppContext): Promise<Queue[]> {
  const rows = await ctx.db.selectFrom('queue').selectAll().orderBy('name').execute();
  return Promise.all(rows.map((r) => view(ctx, r)));
}

export async function updateQueue(ctx: AppContext, ref: string, input: QueueInput): Promise<Queue> {
  const current = await findQueueRow(ctx, ref);
  const { row, members } = await checked(ctx, current, input);
  row.updated_at = ctx.clock.now();
  await assertUnique(ctx, row);
  await ctx.db.transaction().execute(async (trx) => {
    const { id, created_at, ...columns } = row;
    await trx.updateTable('queue').set(columns).where('id', '=', id).execute();
    if (row.email !== current.email) await trx.updateTable('mailbox').set({ email: row.email, approval: 'pending', approved_by: null, approved_at: null }).where('queue_id', '=', id).execute();
    if (members) {
      await trx.deleteFrom('queue_member').where('queue_id', '=', id).execute();
      for (const userId of members) await trx.insertInto('queue_member').values({ queue_id: id, user_id: userId }).execute();
    }
  });
  return view(ctx, row);
}

/** Active queues by address, for the address resolution of email activities (QueueAddressLookup). */
export function queueAddressLookup(ctx: AppContext) {
  return async (addresses: readonly string[]) => {
    if (addresses.length === 0) return [];
    const rows = await ctx.db.selectFrom('queue').select(['id', 'name', 'email']).where('active', '=', 1)
      .where((eb) => eb(eb.fn('lower', ['email']), 'in', addresses.map((a) => a.toLowerCase()))).execute();
    return rows.map((r) => ({ address: r.email, id: r.id, name: r.name }));
  };
}
