// Incoming synchronization over the API: a mailbox's sync status (health, failures per message,
// reconciliation), synchronize now, reconcile now; a user's personal email options and folder
// tracking rules (your own, or anyone's for administrators).
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { PROVIDER_FAILURE_ERRORS } from '../openapi.ts';
import { addFolderRule, listFolderRules, removeFolderRule } from '../../sync/folder-rules.service.ts';
import { reconcileNow, syncMailboxNow } from '../../sync/incoming/sync-now.ts';
import { mailboxSyncStatus } from '../../sync/incoming/sync-status.ts';
import { optionsOwner, readTrackingOptions, setTrackingOptions } from '../../sync/tracking-options.service.ts';
import { currentUser } from '../auth.ts';
import { errors } from '../openapi.ts';
import { FolderRuleAnswer, ReconciliationAnswer, SyncCycleAnswer, SyncStatusAnswer, TrackingOptionsAnswer } from '../incoming-response-schemas.ts';
import { NoContent } from '../response-schemas.ts';

const user = { access: 'user' } as const;
const strict = { additionalProperties: false } as const;
const Ref = Type.Object({ id: Type.String({ minLength: 1, maxLength: 320, description: 'an id, or an email address' }) }, strict);
const UserRef = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, description: 'a user id or user name, or "me"' }) }, strict);
const RuleRef = Type.Object({ id: UserRef.properties.id, ruleId: Type.String({ minLength: 1, maxLength: 600, description: 'the rule\'s id or folder' }) }, strict);
const idOf = (request: { params: unknown }) => (request.params as { id: string }).id;
const OptionsBody = Type.Partial(Type.Object({
  tracking: Type.String({ maxLength: 20 }), autoCreate: Type.Boolean(), createAs: Type.String({ maxLength: 20 }),
}), strict);
const RuleBody = Type.Object({ folder: Type.String({ minLength: 1, maxLength: 500 }), regarding: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'TYPE:ID (account:…), or a record id' })) }, strict);
/** The cycle's own refusals, and what the mail server answered (502–504). */
const SYNC_ERRORS = ['NOT_FOUND', 'MAILBOX_INCOMING_DISABLED', 'MAILBOX_NOT_APPROVED', 'MAILBOX_HELD', 'MAILBOX_NO_PROFILE', 'MAILBOX_CREDENTIALS_MISSING', ...PROVIDER_FAILURE_ERRORS] as const;

export function incomingRoutes(app: FastifyInstance, ctx: AppContext) {
  const mt = ['mailboxes'];
  app.get('/api/mailboxes/:id/sync-status', { config: user, schema: { tags: mt, summary: 'Incoming sync status: health, counts per outcome, every failing or set-aside message with its reason, the folders\' cursors and the last reconciliation', params: Ref, response: { 200: SyncStatusAnswer, ...errors('NOT_FOUND') } } }, async (request) =>
    mailboxSyncStatus(ctx, currentUser(request), idOf(request)));
  app.post('/api/mailboxes/:id/sync', { config: user, schema: { tags: mt, summary: 'Synchronize the mailbox\'s incoming email now: one cycle, with the counts it made', params: Ref, response: { 200: SyncCycleAnswer, ...errors(...SYNC_ERRORS) } } }, async (request) =>
    syncMailboxNow(ctx, currentUser(request), idOf(request)));
  app.post('/api/mailboxes/:id/reconcile', { config: user, schema: { tags: mt, summary: 'Reconcile now: what the server holds against what Mailroom processed; a gap is also raised as an alert. A mailbox another worker holds is reconciled by that worker, and this waits for its result', params: Ref, response: { 200: ReconciliationAnswer, ...errors(...SYNC_ERRORS, 'RECONCILIATION_PENDING') } } }, async (request) =>
    reconcileNow(ctx, currentUser(request), idOf(request)));

  const ut = ['users'];
  app.get('/api/users/:id/email-options', { config: user, schema: { tags: ut, summary: 'Personal email options for incoming mail: which email is tracked, automatic record creation', params: UserRef, response: { 200: TrackingOptionsAnswer, ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request) =>
    readTrackingOptions(ctx, (await optionsOwner(ctx, currentUser(request), idOf(request))).id));
  app.patch('/api/users/:id/email-options', { config: user, schema: { tags: ut, summary: 'Change personal email options (your own; administrators anyone\'s)', params: UserRef, body: OptionsBody, response: { 200: TrackingOptionsAnswer, ...errors('NOT_FOUND', 'FORBIDDEN', 'INVALID_PARAMETER') } } }, async (request) =>
    setTrackingOptions(ctx, (await optionsOwner(ctx, currentUser(request), idOf(request))).id, request.body as Static<typeof OptionsBody>));
  app.get('/api/users/:id/folder-rules', { config: user, schema: { tags: ut, summary: 'Folder tracking rules: folders under the Inbox whose email is tracked, each with an optional regarding record', params: UserRef, response: { 200: Type.Array(FolderRuleAnswer), ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request) =>
    listFolderRules(ctx, (await optionsOwner(ctx, currentUser(request), idOf(request))).id));
  app.post('/api/users/:id/folder-rules', { config: user, schema: { tags: ut, summary: 'Add a folder tracking rule (at most 25, under the Inbox, IMAP only)', params: UserRef, body: RuleBody, response: { 201: FolderRuleAnswer, ...errors('NOT_FOUND', 'FORBIDDEN', 'INVALID_PARAMETER', 'CONFLICT') } } }, async (request, reply) => {
    const owner = await optionsOwner(ctx, currentUser(request), idOf(request));
    return reply.code(201).send(await addFolderRule(ctx, owner.id, request.body as Static<typeof RuleBody>));
  });
  app.delete('/api/users/:id/folder-rules/:ruleId', { config: user, schema: { tags: ut, summary: 'Remove a folder tracking rule (by id or folder)', params: RuleRef, response: { 204: NoContent('removed'), ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request, reply) => {
    const params = request.params as Static<typeof RuleRef>;
    await removeFolderRule(ctx, (await optionsOwner(ctx, currentUser(request), params.id)).id, params.ruleId);
    return reply.code(204).send();
  });
}
