// Approve email: a mailbox's email address is Empty, Pending approval, Approved or Rejected.
// System administrators and holders of the delegated mailbox approver role approve; only
// administrators give that role, and only to users.
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { findUser, type User } from '../users/users.service.ts';
import { readEmailSettings } from './email-settings.ts';
import { findMailboxRow, toMailboxView, type MailboxRow, type MailboxView } from './mailboxes.service.ts';
import { wakeWaitingEmails } from './outgoing/wake-waiting.ts';

export async function isMailboxApprover(ctx: AppContext, user: User): Promise<boolean> {
  if (user.role === 'admin') return true;
  return !!(await ctx.db.selectFrom('mailbox_approver').select('user_id').where('user_id', '=', user.id).executeTakeFirst());
}

export async function setApproval(ctx: AppContext, actor: User, ref: string, decision: 'approved' | 'rejected'): Promise<MailboxView> {
  if (!(await isMailboxApprover(ctx, actor))) {
    throw new MailroomError('FORBIDDEN', { message: 'Only a system administrator or a delegated mailbox approver may approve or reject mailboxes.' });
  }
  const row = await findMailboxRow(ctx, ref);
  const now = ctx.clock.now();
  const next: MailboxRow = { ...row, approval: decision, approved_by: actor.id, approved_at: now, updated_at: now, next_poll_at: Math.min(row.next_poll_at, now) };
  await ctx.db.updateTable('mailbox').set({ approval: next.approval, approved_by: next.approved_by, approved_at: now, updated_at: now, next_poll_at: next.next_poll_at }).where('id', '=', row.id).execute();
  // What waited for the approval goes out now (it is looked at again as soon as it is due).
  if (decision === 'approved') await wakeWaitingEmails(ctx, row.id);
  return toMailboxView(next, now);
}

/** Whether the approval settings let this mailbox synchronize. */
export async function approvalAllows(ctx: AppContext, row: Pick<MailboxRow, 'approval' | 'owner_kind'>): Promise<boolean> {
  if (row.approval === 'approved') return true;
  const s = await readEmailSettings(ctx);
  return row.owner_kind === 'user' ? !s.approvedUsersOnly : !s.approvedQueuesOnly;
}

export async function grantApprover(ctx: AppContext, actor: User, ref: string): Promise<void> {
  if (actor.role !== 'admin') throw new MailroomError('FORBIDDEN', { message: 'Only administrators may give the delegated mailbox approver role.' });
  const queue = await ctx.db.selectFrom('queue').select('id').where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref), eb('email', '=', ref)])).executeTakeFirst();
  if (queue) throw new MailroomError('APPROVER_ROLE_FOR_QUEUE');
  const user = await findUser(ctx, ref);
  await ctx.db.insertInto('mailbox_approver').values({ user_id: user.id, granted_by: actor.id, granted_at: ctx.clock.now() })
    .onConflict((oc) => oc.column('user_id').doNothing()).execute();
}

export async function revokeApprover(ctx: AppContext, actor: User, ref: string): Promise<void> {
  if (actor.role !== 'admin') throw new MailroomError('FORBIDDEN', { message: 'Only administrators may take the delegated mailbox approver role away.' });
  const user = await findUser(ctx, ref);
  await ctx.db.deleteFrom('mailbox_approver').where('user_id', '=', user.id).execute();
}

export async function listApprovers(ctx: AppContext) {
  return ctx.db.selectFrom('mailbox_approver').innerJoin('app_user', 'app_user.id', 'mailbox_approver.user_id')
    .select(['app_user.id as userId', 'app_user.username as username', 'mailbox_approver.granted_by as grantedBy', 'mailbox_approver.granted_at as grantedAt'])
    .orderBy('app_user.username').execute();
}
