import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { Database, WorkflowEventTable, WorkflowInstanceTable, WorkflowNotificationTable, WorkItemTable } from '../store/tables.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type InstanceRow = Selectable<WorkflowInstanceTable>;
export type WorkItemRow = Selectable<WorkItemTable>;
export type EventRow = Selectable<WorkflowEventTable>;
export type NotificationRow = Selectable<WorkflowNotificationTable>;

export const INSTANCE_STATUSES = ['in-progress', 'change-requested', 'completed', 'stopped', 'terminated'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];
export const FINAL_INSTANCE_STATUSES: readonly InstanceStatus[] = ['completed', 'stopped', 'terminated'];
export const WORK_ITEM_STATUSES = ['pending', 'approved', 'rejected', 'change-requested', 'resubmitted', 'cancelled'] as const;
export type WorkItemStatus = (typeof WORK_ITEM_STATUSES)[number];

export const insertInstance = (db: Db, row: Insertable<WorkflowInstanceTable>) => db.insertInto('workflow_instance').values(row).execute();

export const findInstance = (db: Db, id: string) =>
  db.selectFrom('workflow_instance').selectAll().where('id', '=', id).executeTakeFirst();

/**
 * Takes the instance's row lock for the rest of the transaction (the update does, on PostgreSQL;
 * SQLite runs one transaction at a time anyway), so two approvers finishing a step at the same
 * moment are applied one after the other.
 */
export async function lockInstance(db: Transaction<Database>, id: string, now: number): Promise<InstanceRow | undefined> {
  await db.updateTable('workflow_instance').set({ updated_at: now }).where('id', '=', id).execute();
  return findInstance(db, id);
}

export const updateInstance = (db: Db, id: string, set: Updateable<WorkflowInstanceTable>) =>
  db.updateTable('workflow_instance').set(set).where('id', '=', id).execute();

export function listInstances(db: Db, filter: { originatorId?: string; status?: string; limit: number }) {
  let q = db.selectFrom('workflow_instance').selectAll();
  if (filter.originatorId) q = q.where('originator_id', '=', filter.originatorId);
  if (filter.status) q = q.where('status', '=', filter.status);
  return q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute();
}

export const insertWorkItem = (db: Db, row: Insertable<WorkItemTable>) => db.insertInto('work_item').values(row).execute();

export const findWorkItem = (db: Db, id: string) =>
  db.selectFrom('work_item').selectAll().where('id', '=', id).executeTakeFirst();

/** Changes a work item that is still pending; false when it no longer is. */
export async function updatePendingItem(db: Db, id: string, set: Updateable<WorkItemTable>): Promise<boolean> {
  const result = await db.updateTable('work_item').set(set).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export const pendingItems = (db: Db, instanceId: string, step?: number) => {
  let q = db.selectFrom('work_item').selectAll().where('instance_id', '=', instanceId).where('status', '=', 'pending');
  if (step !== undefined) q = q.where('step', '=', step);
  return q.orderBy('created_at').orderBy('id').execute();
};

export const itemsOfInstance = (db: Db, instanceId: string) =>
  db.selectFrom('work_item').selectAll().where('instance_id', '=', instanceId).orderBy('created_at').orderBy('id').execute();

export function listInbox(db: Db, ownerId: string, statuses: readonly string[] | undefined, limit: number) {
  let q = db.selectFrom('work_item').selectAll().where('owner_id', '=', ownerId);
  if (statuses) q = q.where('status', 'in', statuses);
  return q.orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
}

export const overdueItems = (db: Db, now: number, limit: number) =>
  db.selectFrom('work_item').selectAll().where('status', '=', 'pending').where('kind', '=', 'approval')
    .where('due_at', 'is not', null).where('due_at', '<=', now).orderBy('due_at').limit(limit).execute();

/** The next number in an instance's history; call under the instance lock. */
export async function nextSeq(db: Transaction<Database>, instanceId: string): Promise<number> {
  await db.updateTable('workflow_instance').set((eb) => ({ event_seq: eb('event_seq', '+', 1) })).where('id', '=', instanceId).execute();
  const row = await db.selectFrom('workflow_instance').select('event_seq').where('id', '=', instanceId).executeTakeFirstOrThrow();
  return row.event_seq;
}

export const insertEvent = (db: Db, row: Insertable<WorkflowEventTable>) => db.insertInto('workflow_event').values(row).execute();

export const eventsOfInstance = (db: Db, instanceId: string) =>
  db.selectFrom('workflow_event').selectAll().where('instance_id', '=', instanceId).orderBy('seq').execute();

export function pendingEvents(db: Db, ids: readonly string[] | undefined, limit: number) {
  let q = db.selectFrom('workflow_event').selectAll().where('notify_state', '=', 'pending');
  if (ids) {
    if (ids.length === 0) return Promise.resolve([] as EventRow[]);
    q = q.where('id', 'in', ids);
  }
  return q.orderBy('at').orderBy('instance_id').orderBy('seq').limit(limit).execute();
}

export const markEventNotified = (db: Db, id: string) =>
  db.updateTable('workflow_event').set({ notify_state: 'done' }).where('id', '=', id).execute();

export const notifiedUsers = async (db: Db, eventId: string) =>
  new Set((await db.selectFrom('workflow_notification').select('user_id').where('event_id', '=', eventId).execute()).map((r) => r.user_id));

/** Records one recipient's outcome; a second dispatcher's record of the same recipient is ignored. */
export const insertNotification = (db: Db, row: Insertable<WorkflowNotificationTable>) =>
  db.insertInto('workflow_notification').values(row).onConflict((oc) => oc.columns(['event_id', 'user_id']).doNothing()).execute();

export const notificationsOfInstance = (db: Db, instanceId: string) =>
  db.selectFrom('workflow_notification').selectAll().where('instance_id', '=', instanceId).orderBy('created_at').orderBy('id').execute();

export const findEvent = (db: Db, id: string) => db.selectFrom('workflow_event').selectAll().where('id', '=', id).executeTakeFirst();

export const findNotificationByEmail = (db: Db, emailId: string) =>
  db.selectFrom('workflow_notification').selectAll().where('email_id', '=', emailId).executeTakeFirst();

export const updateNotification = (db: Db, id: string, set: Updateable<WorkflowNotificationTable>) =>
  db.updateTable('workflow_notification').set(set).where('id', '=', id).execute();
