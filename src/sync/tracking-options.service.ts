// Personal email options for incoming mail (§2.4 item 31, §2.6 item 42): which email of the
// user's mailbox becomes an activity, and whether an unresolved sender of tracked email becomes a
// contact or a lead. A user changes their own; an administrator anyone's. A queue's tracking
// option lives on the queue (crm's queues.service), and its records are created per its owner.
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { AUTO_CREATE_AS, TRACKING_OPTIONS, type AutoCreateAs, type TrackingOption } from '../store/tables.ts';
import { findUser, type User } from '../users/users.service.ts';

export interface TrackingOptions {
  readonly userId: string;
  readonly tracking: TrackingOption;
  readonly autoCreate: boolean;
  readonly createAs: AutoCreateAs;
}

export interface TrackingOptionsChange {
  readonly tracking?: string;
  readonly autoCreate?: boolean;
  readonly createAs?: string;
}

/** The product's defaults: email in response to email sent from the application; no records created. */
export const DEFAULT_TRACKING: TrackingOption = 'replies';

const invalid = (field: string, message: string) => new MailroomError('INVALID_PARAMETER', { message: `${field}: ${message}`, details: [{ field, message }] });

export async function readTrackingOptions(ctx: AppContext, userId: string): Promise<TrackingOptions> {
  const row = await ctx.db.selectFrom('email_tracking_option').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return row
    ? { userId, tracking: row.tracking, autoCreate: row.auto_create === 1, createAs: row.create_as }
    : { userId, tracking: DEFAULT_TRACKING, autoCreate: false, createAs: 'contact' };
}

/** The user whose options the actor asks for: their own, or anyone's for an administrator. */
export async function optionsOwner(ctx: AppContext, actor: User, ref: string | undefined): Promise<User> {
  if (ref === undefined || ref === 'me' || ref === actor.id || ref === actor.username) return actor;
  if (actor.role !== 'admin') throw new MailroomError('FORBIDDEN', { message: 'Only administrators may change another user\'s email options.' });
  return findUser(ctx, ref);
}

export async function setTrackingOptions(ctx: AppContext, userId: string, change: TrackingOptionsChange): Promise<TrackingOptions> {
  const unknown = Object.keys(change).filter((k) => !['tracking', 'autoCreate', 'createAs'].includes(k));
  if (unknown.length) throw invalid(unknown[0]!, 'This option does not exist.');
  const current = await readTrackingOptions(ctx, userId);
  let tracking = current.tracking;
  if (change.tracking !== undefined) {
    if (!(TRACKING_OPTIONS as readonly string[]).includes(change.tracking)) throw invalid('tracking', `Choose one of: ${TRACKING_OPTIONS.join(', ')}.`);
    tracking = change.tracking as TrackingOption;
  }
  let createAs = current.createAs;
  if (change.createAs !== undefined) {
    if (!(AUTO_CREATE_AS as readonly string[]).includes(change.createAs)) throw invalid('createAs', `Choose one of: ${AUTO_CREATE_AS.join(', ')}.`);
    createAs = change.createAs as AutoCreateAs;
  }
  if (change.autoCreate !== undefined && typeof change.autoCreate !== 'boolean') throw invalid('autoCreate', 'Give yes or no.');
  const autoCreate = change.autoCreate ?? current.autoCreate;
  const values = { tracking, auto_create: autoCreate ? 1 : 0, create_as: createAs, updated_at: ctx.clock.now() };
  await ctx.db.insertInto('email_tracking_option').values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values)).execute();
  return { userId, tracking, autoCreate, createAs };
}
