import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import * as queues from '../../crm/queues.service.ts';
import { alertsWall, mailboxAlerts } from '../../sync/alerts.service.ts';
import { grantApprover, listApprovers, revokeApprover, setApproval } from '../../sync/approval.service.ts';
import { readEmailSettings, updateEmailSettings } from '../../sync/email-settings.ts';
import { getMailboxFor, listMailboxes, toMailboxView, updateMailbox } from '../../sync/mailboxes.service.ts';
import { getSyncJob, startProfileTestEnable, testProfileConnection } from '../../sync/profile-commands.ts';
import { createProfile, getProfile, listProfiles, updateProfile } from '../../sync/server-profiles.service.ts';
import { testAndEnable } from '../../sync/test-enable.ts';
import { currentUser } from '../auth.ts';
import { errors } from '../openapi.ts';
import { AlertAnswer, ApproverAnswer, EmailSettingsAnswer, MailboxAnswer, ProfileAnswer, ProfileTestAnswer, QueueAnswer, SyncJobAnswer } from '../sync-response-schemas.ts';

const admin = { access: 'admin' } as const;
const user = { access: 'user' } as const;
const strict = { additionalProperties: false } as const;
const Ref = Type.Object({ id: Type.String({ minLength: 1, maxLength: 320, description: 'an id, or a name / email address' }) }, strict);
const idOf = (request: { params: unknown }) => (request.params as Static<typeof Ref>).id;
const yesNo = Type.Boolean();
const Method = Type.Union([Type.Literal('sss'), Type.Literal('none')]);
const Str = (maxLength: number) => Type.String({ maxLength });
const NullableStr = (maxLength: number) => Type.Union([Type.String({ maxLength }), Type.Null()]);

const SettingsBody = Type.Partial(Type.Object({
  defaultProfileId: NullableStr(100), defaultIncoming: Method, defaultOutgoing: Method, defaultAct: Method,
  approvedUsersOnly: yesNo, approvedQueuesOnly: yesNo, alertErrors: yesNo, alertWarnings: yesNo, alertInformation: yesNo, notifyMailboxOwner: yesNo,
  maxAttachmentKb: Type.Integer(), trackingTokenPrefix: Str(100), trackingTokenBase: Type.Integer(), trackingTokenUserDigits: Type.Integer(),
  trackingTokenCounterDigits: Type.Integer(), useCorrelation: yesNo, useTrackingTokens: yesNo, folderLevelTracking: yesNo, smartMatching: yesNo,
  trackBetweenUsersAsTwo: yesNo, unresolvedOnMultipleMatches: yesNo, transientRetries: Type.Integer(), retryIntervalMinutes: Type.Integer(),
}), strict);

const profileFields = {
  name: Str(200), description: Str(2000), serverType: Str(40), owner: Str(100), isDefault: yesNo,
  incomingHost: Str(300), incomingPort: Type.Integer(), incomingSsl: yesNo, incomingAuth: Str(20),
  outgoingHost: Str(300), outgoingPort: Type.Integer(), outgoingSsl: yesNo, outgoingAuth: Str(20),
  credentialsFrom: Type.Union([Type.Literal('mailbox'), Type.Literal('profile')]), username: Str(400), password: NullableStr(1000),
  outgoingSameSettings: yesNo, outgoingUsername: Str(400), outgoingPassword: NullableStr(1000), verifyCertificate: yesNo, trustedCa: NullableStr(65_536),
  processEmailFrom: NullableStr(40), minPollingMinutes: Type.Integer(), maxConnections: Type.Integer(),
  moveFailedToUndeliverable: yesNo, alertOnMajorityFailure: yesNo,
};
const ProfileBody = Type.Composite([Type.Object({ name: profileFields.name, serverType: profileFields.serverType }), Type.Partial(Type.Object(profileFields))], strict);
const ProfileChangeBody = Type.Partial(Type.Object(profileFields), strict);

const MailboxBody = Type.Partial(Type.Object({
  profile: NullableStr(200), incoming: Method, outgoing: Method, act: Method, allowCredentials: yesNo,
  username: Str(400), password: NullableStr(1000), deleteAfterProcessing: yesNo, processAfter: NullableStr(40),
}), strict);

const queueFields = { name: Str(200), email: Str(320), owner: Str(100), active: yesNo, tracking: Str(20), members: Type.Array(Str(100), { maxItems: 1000 }) };
const QueueBody = Type.Composite([Type.Object({ name: queueFields.name, email: queueFields.email }), Type.Partial(Type.Object(queueFields))], strict);
const QueueChangeBody = Type.Partial(Type.Object(queueFields), strict);
const ApproverBody = Type.Object({ user: Str(320) }, strict);
const AlertsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, strict);

export function syncRoutes(app: FastifyInstance, ctx: AppContext) {
  const st = ['email settings'];
  app.get('/api/email-settings', { config: admin, schema: { tags: st, summary: 'Email settings (one per environment)', response: { 200: EmailSettingsAnswer } } }, async () => readEmailSettings(ctx));
  app.patch('/api/email-settings', { config: admin, schema: { tags: st, summary: 'Change Email settings; a value out of range or an unknown key refuses the change', body: SettingsBody, response: { 200: EmailSettingsAnswer, ...errors('INVALID_PARAMETER') } } }, async (request) =>
    updateEmailSettings(ctx, request.body as Static<typeof SettingsBody>));

  const pt = ['email server profiles'];
  app.get('/api/email-server-profiles', { config: admin, schema: { tags: pt, summary: 'Email server profiles', response: { 200: Type.Array(ProfileAnswer) } } }, async () => listProfiles(ctx));
  app.post('/api/email-server-profiles', { config: admin, schema: { tags: pt, summary: 'Create a profile (imap or pop3; Exchange types are refused until they exist)', body: ProfileBody, response: { 201: ProfileAnswer, ...errors('INVALID_PARAMETER', 'CONFLICT') } } }, async (request, reply) =>
    reply.code(201).send(await createProfile(ctx, currentUser(request).id, request.body as Static<typeof ProfileBody>)));
  app.get('/api/email-server-profiles/:id', { config: admin, schema: { tags: pt, summary: 'An email server profile', params: Ref, response: { 200: ProfileAnswer, ...errors('NOT_FOUND') } } }, async (request) => getProfile(ctx, idOf(request)));
  app.patch('/api/email-server-profiles/:id', { config: admin, schema: { tags: pt, summary: 'Change an email server profile', params: Ref, body: ProfileChangeBody, response: { 200: ProfileAnswer, ...errors('NOT_FOUND', 'INVALID_PARAMETER') } } }, async (request) =>
    updateProfile(ctx, idOf(request), request.body as Static<typeof ProfileChangeBody>));
  app.post('/api/email-server-profiles/:id/test', { config: admin, schema: { tags: pt, summary: 'Test connection: connect (and sign in, when the profile holds the credentials) to each server, step by step', params: Ref, response: { 200: ProfileTestAnswer, ...errors('NOT_FOUND') } } }, async (request) =>
    testProfileConnection(ctx, idOf(request)));
  app.post('/api/email-server-profiles/:id/test-enable', { config: admin, schema: { tags: pt, summary: 'Test and enable every mailbox of the profile, as a background job (poll GET /api/sync-jobs/{id})', params: Ref, response: { 202: SyncJobAnswer, ...errors('NOT_FOUND') } } }, async (request, reply) => {
    const { job } = await startProfileTestEnable(ctx, currentUser(request).id, idOf(request));
    return reply.code(202).send(job);
  });
  app.get('/api/sync-jobs/:id', { config: admin, schema: { tags: pt, summary: 'A background job with its progress', params: Ref, response: { 200: SyncJobAnswer, ...errors('NOT_FOUND') } } }, async (request) => getSyncJob(ctx, idOf(request)));

  const mt = ['mailboxes'];
  app.get('/api/mailboxes', { config: user, schema: { tags: mt, summary: 'Mailboxes: every one for administrators, your own and your queues\' for others', response: { 200: Type.Array(MailboxAnswer) } } }, async (request) =>
    listMailboxes(ctx, currentUser(request)));
  app.get('/api/mailboxes/:id', { config: user, schema: { tags: mt, summary: 'A mailbox by id or email address', params: Ref, response: { 200: MailboxAnswer, ...errors('NOT_FOUND') } } }, async (request) =>
    toMailboxView(await getMailboxFor(ctx, currentUser(request), idOf(request)), ctx.clock.now()));
  app.patch('/api/mailboxes/:id', { config: user, schema: { tags: mt, summary: 'Change a mailbox (administrators; a user only their own credentials)', params: Ref, body: MailboxBody, response: { 200: MailboxAnswer, ...errors('NOT_FOUND', 'INVALID_PARAMETER', 'FORBIDDEN') } } }, async (request) =>
    updateMailbox(ctx, currentUser(request), idOf(request), request.body as Static<typeof MailboxBody>));
  app.post('/api/mailboxes/:id/approve', { config: user, schema: { tags: mt, summary: 'Approve email (administrators and delegated mailbox approvers)', params: Ref, response: { 200: MailboxAnswer, ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request) =>
    setApproval(ctx, currentUser(request), idOf(request), 'approved'));
  app.post('/api/mailboxes/:id/reject', { config: user, schema: { tags: mt, summary: 'Reject email (administrators and delegated mailbox approvers)', params: Ref, response: { 200: MailboxAnswer, ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request) =>
    setApproval(ctx, currentUser(request), idOf(request), 'rejected'));
  app.post('/api/mailboxes/:id/test-enable', { config: user, schema: { tags: mt, summary: 'Test and enable: tests each channel and enables what passed', params: Ref, response: { 200: MailboxAnswer, ...errors('NOT_FOUND', 'FORBIDDEN') } } }, async (request) =>
    testAndEnable(ctx, currentUser(request), idOf(request)));
  app.get('/api/mailboxes/:id/alerts', { config: user, schema: { tags: mt, summary: 'A mailbox\'s alerts, newest first', params: Ref, querystring: AlertsQuery, response: { 200: Type.Array(AlertAnswer), ...errors('NOT_FOUND') } } }, async (request) =>
    mailboxAlerts(ctx, currentUser(request), idOf(request), (request.query as Static<typeof AlertsQuery>).limit));
  app.get('/api/alerts', { config: user, schema: { tags: mt, summary: 'Your alerts wall: alerts of the profiles you own', querystring: AlertsQuery, response: { 200: Type.Array(AlertAnswer) } } }, async (request) =>
    alertsWall(ctx, currentUser(request), (request.query as Static<typeof AlertsQuery>).limit));

  app.get('/api/mailbox-approvers', { config: admin, schema: { tags: mt, summary: 'Holders of the delegated mailbox approver role', response: { 200: Type.Array(ApproverAnswer) } } }, async () => listApprovers(ctx));
  app.post('/api/mailbox-approvers', { config: admin, schema: { tags: mt, summary: 'Give a user the delegated mailbox approver role (never a queue)', body: ApproverBody, response: { 200: Type.Array(ApproverAnswer), ...errors('INVALID_PARAMETER') } } }, async (request) => {
    await grantApprover(ctx, currentUser(request), (request.body as Static<typeof ApproverBody>).user);
    return listApprovers(ctx);
  });
  app.delete('/api/mailbox-approvers/:id', { config: admin, schema: { tags: mt, summary: 'Take the delegated mailbox approver role away', params: Ref, response: { 200: Type.Array(ApproverAnswer), ...errors('NOT_FOUND') } } }, async (request) => {
    await revokeApprover(ctx, currentUser(request), idOf(request));
    return listApprovers(ctx);
  });

  const qt = ['queues'];
  app.get('/api/queues', { config: user, schema: { tags: qt, summary: 'Queues', response: { 200: Type.Array(QueueAnswer) } } }, async () => queues.listQueues(ctx));
  app.post('/api/queues', { config: admin, schema: { tags: qt, summary: 'Create a queue (a shared mailbox such as support@); its mailbox is made with it', body: QueueBody, response: { 201: QueueAnswer, ...errors('INVALID_PARAMETER', 'CONFLICT') } } }, async (request, reply) =>
    reply.code(201).send(await queues.createQueue(ctx, currentUser(request).id, request.body as Static<typeof QueueBody>)));
  app.get('/api/queues/:id', { config: user, schema: { tags: qt, summary: 'A queue with its members', params: Ref, response: { 200: QueueAnswer, ...errors('NOT_FOUND') } } }, async (request) => queues.getQueue(ctx, idOf(request)));
  app.patch('/api/queues/:id', { config: admin, schema: { tags: qt, summary: 'Change a queue', params: Ref, body: QueueChangeBody, response: { 200: QueueAnswer, ...errors('NOT_FOUND', 'INVALID_PARAMETER') } } }, async (request) =>
    queues.updateQueue(ctx, idOf(request), request.body as Static<typeof QueueChangeBody>));
}
