// What the incoming synchronization routes answer: a mailbox's sync status and health, a cycle's
// counts, a reconciliation report, personal email options and folder tracking rules.
import { Type, type TSchema } from '@sinclair/typebox';
import { AUTO_CREATE_AS, TRACKING_OPTIONS } from '../store/tables.ts';
import { HEALTH_LEVELS } from '../sync/incoming/sync-status.ts';

const strict = { additionalProperties: false } as const;
const oneOf = (values: readonly string[], options = {}) => Type.Unsafe<string>({ type: 'string', enum: [...values], ...options });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Epoch = () => Type.Number({ description: 'epoch milliseconds' });
const Count = () => Type.Integer({ minimum: 0 });

const Gap = Type.Object({ uid: Type.String(), messageId: nullable(Type.String()), receivedAt: nullable(Epoch()) }, strict);
const FolderReconciliation = Type.Object({
  folder: Type.String(), uidValidity: Type.String({ description: 'empty for POP3' }), onServer: Count(), tracked: Count(), skipped: Count(),
  failing: Count(), undeliverable: Count(), notYetSeen: Type.Integer({ minimum: 0, description: 'after the cursor: the next cycle reads them' }), gapCount: Count(),
  gaps: Type.Array(Gap, { description: 'the first 200 gaps' }),
}, strict);

export const ReconciliationAnswer = Type.Object({
  mailboxId: Type.String(), ranAt: Epoch(), gaps: Count(), folders: Type.Array(FolderReconciliation),
}, strict);

const Cycle = Type.Object({ tracked: Count(), skipped: Count(), failed: Count(), undeliverable: Count() }, strict);
export const SyncCycleAnswer = Type.Object({ mailboxId: Type.String(), result: Cycle, reconciliation: nullable(ReconciliationAnswer) }, strict);

export const SyncStatusAnswer = Type.Object({
  mailboxId: Type.String(), email: Type.String(),
  health: oneOf(HEALTH_LEVELS, { description: 'never healthy with a gap, a disabled channel, or a failing or set-aside message' }),
  reasons: Type.Array(Type.String()),
  lastSuccessAt: nullable(Epoch()),
  lastError: nullable(Type.Object({ code: Type.String(), count: Type.Integer(), at: nullable(Epoch()), response: nullable(Type.String()) }, strict)),
  nextPollAt: Epoch(),
  heldBy: nullable(Type.Object({ worker: Type.String(), until: Epoch() }, { ...strict, description: 'the worker synchronizing the mailbox now, or watching its Inbox (IDLE)' })),
  counts: Type.Object({ tracked: Count(), skipped: Count(), failing: Count(), undeliverable: Count() }, strict),
  failures: Type.Array(Type.Object({
    folder: Type.String(), uid: Type.String(), messageId: nullable(Type.String()), outcome: oneOf(['failed', 'undeliverable']),
    reason: nullable(Type.String()), code: nullable(Type.String()), attempts: Type.Integer(), at: Epoch(),
  }, strict), { description: 'the newest 100 messages that fail or were set aside, with their reasons' }),
  folders: Type.Array(Type.Object({ folder: Type.String(), uidValidity: Type.String(), lastUid: Type.Integer(), updatedAt: Epoch() }, strict)),
  reconciliation: nullable(ReconciliationAnswer),
}, strict);

export const TrackingOptionsAnswer = Type.Object({
  userId: Type.String(), tracking: oneOf(TRACKING_OPTIONS, { description: 'all, replies (email in response to email from the application), records (leads, contacts, accounts), email-enabled' }),
  autoCreate: Type.Boolean({ description: 'create a contact or lead for an unresolved sender of tracked email' }), createAs: oneOf(AUTO_CREATE_AS),
}, strict);

export const FolderRuleAnswer = Type.Object({
  id: Type.String(), userId: Type.String(), folder: Type.String(),
  regarding: nullable(Type.Object({ type: Type.String(), id: Type.String() }, strict)), createdAt: Epoch(),
}, strict);
