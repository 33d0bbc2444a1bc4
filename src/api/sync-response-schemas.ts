// What the synchronization routes answer: Email settings, server profiles, mailboxes, alerts,
// queues, approvers and background jobs. Fastify serializes each answer through these, so a field
// not declared here (a sealed password) never leaves the server.
import { Type, type TSchema } from '@sinclair/typebox';
import { ALERT_LEVELS, APPROVAL_STATUSES, CHANNEL_STATUSES, CHANNELS, SERVER_TYPES, SYNC_METHODS, TRACKING_OPTIONS } from '../store/tables.ts';

const strict = { additionalProperties: false } as const;
const oneOf = (values: readonly string[], options = {}) => Type.Unsafe<string>({ type: 'string', enum: [...values], ...options });
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Epoch = () => Type.Number({ description: 'epoch milliseconds' });
const Method = oneOf(SYNC_METHODS, { description: 'none, or sss (server-side synchronization)' });

export const EmailSettingsAnswer = Type.Object({
  defaultProfileId: nullable(Type.String()), defaultIncoming: Method, defaultOutgoing: Method, defaultAct: Method,
  approvedUsersOnly: Type.Boolean(), approvedQueuesOnly: Type.Boolean(),
  alertErrors: Type.Boolean(), alertWarnings: Type.Boolean(), alertInformation: Type.Boolean(), notifyMailboxOwner: Type.Boolean(),
  maxAttachmentKb: Type.Integer(), trackingTokenPrefix: Type.String(), trackingTokenBase: Type.Integer(),
  trackingTokenUserDigits: Type.Integer(), trackingTokenCounterDigits: Type.Integer(),
  useCorrelation: Type.Boolean(), useTrackingTokens: Type.Boolean(), folderLevelTracking: Type.Boolean(), smartMatching: Type.Boolean(),
  trackBetweenUsersAsTwo: Type.Boolean(),
  unresolvedOnMultipleMatches: Type.Boolean({ description: 'To, Cc and Bcc addresses of incoming email that match more than one record are kept unresolved (default off: every match is listed)' }),
  transientRetries: Type.Integer(), retryIntervalMinutes: Type.Integer(),
}, strict);

export const ProfileAnswer = Type.Object({
  id: Type.String(), name: Type.String(), description: Type.String(), serverType: oneOf(SERVER_TYPES), ownerId: Type.String(), isDefault: Type.Boolean(),
  incomingHost: Type.String(), incomingPort: Type.Integer(), incomingSsl: Type.Boolean(), incomingAuth: Type.String(),
  outgoingHost: Type.String(), outgoingPort: Type.Integer(), outgoingSsl: Type.Boolean(), outgoingAuth: Type.String(),
  credentialsFrom: oneOf(['mailbox', 'profile']), username: Type.String(), passwordSet: Type.Boolean(),
  outgoingSameSettings: Type.Boolean(), outgoingUsername: Type.String(), outgoingPasswordSet: Type.Boolean(),
  verifyCertificate: Type.Boolean(), trustedCa: Type.String({ description: "PEM certificates of a private authority trusted for these servers besides the system's; '' for none" }), processEmailFrom: nullable(Type.String()), minPollingMinutes: Type.Integer(), maxConnections: Type.Integer(),
  moveFailedToUndeliverable: Type.Boolean(), alertOnMajorityFailure: Type.Boolean(),
  lastTest: nullable(Type.Object({ at: Epoch(), result: Type.Unknown() })),
}, strict);

const Step = Type.Object({ step: Type.String(), ok: Type.Boolean(), detail: Type.String() }, strict);
const ChannelTest = Type.Object({
  status: oneOf(['success', 'failure']), step: Type.String(), steps: Type.Array(Step),
  code: Type.Optional(Type.String()), message: Type.Optional(Type.String()), response: Type.Optional(Type.String({ description: 'the server\'s own words' })), at: Epoch(),
}, strict);
const ChannelState = Type.Object({ method: Method, enabled: Type.Boolean(), status: oneOf(CHANNEL_STATUSES), test: nullable(ChannelTest) }, strict);

export const MailboxAnswer = Type.Object({
  id: Type.String(), ownerKind: oneOf(['user', 'queue']), userId: nullable(Type.String()), queueId: nullable(Type.String()), email: Type.String(),
  profileId: nullable(Type.String()),
  channels: Type.Object(Object.fromEntries(CHANNELS.map((c) => [c, ChannelState])), strict),
  allowCredentials: Type.Boolean(), username: Type.String(), passwordSet: Type.Boolean(), deleteAfterProcessing: Type.Boolean(), processAfter: nullable(Type.String()),
  approval: Type.Object({ status: oneOf(APPROVAL_STATUSES), by: nullable(Type.String()), at: nullable(Epoch()) }, strict),
  lastSuccessAt: nullable(Epoch()),
  lastError: nullable(Type.Object({ code: Type.String(), count: Type.Integer(), at: nullable(Epoch()), channel: nullable(Type.String()), response: nullable(Type.String()) }, strict)),
  nextRetryAt: nullable(Epoch()), nextPollAt: Epoch(),
  lease: nullable(Type.Object({ worker: Type.String(), until: Epoch() }, strict)),
}, strict);

export const AlertAnswer = Type.Object({
  id: Type.String(), mailboxId: nullable(Type.String()), profileId: nullable(Type.String()), level: oneOf(ALERT_LEVELS),
  code: nullable(Type.String()), channel: nullable(Type.String()), message: Type.String(), response: nullable(Type.String()),
  fix: nullable(Type.String()), createdAt: Epoch(),
}, strict);

export const QueueAnswer = Type.Object({
  id: Type.String(), name: Type.String(), email: Type.String(), ownerId: Type.String(), active: Type.Boolean(),
  tracking: oneOf(TRACKING_OPTIONS), members: Type.Array(Type.String({ description: 'user names' })), mailboxId: nullable(Type.String()),
}, strict);

export const ApproverAnswer = Type.Object({ userId: Type.String(), username: Type.String(), grantedBy: Type.String(), grantedAt: Epoch() }, strict);

const Failure = Type.Object({ code: Type.String(), transient: Type.Boolean(), message: Type.String(), response: Type.Optional(Type.String({ description: 'the server\'s own words' })) }, strict);
export const ProfileTestAnswer = Type.Object({
  ok: Type.Boolean(),
  signedInAs: nullable(Type.String({ description: 'the profile\'s user name, or the mailbox whose credentials were used' })),
  servers: Type.Array(Type.Object({ channel: oneOf(CHANNELS), ok: Type.Boolean(), steps: Type.Array(Step), failure: Type.Optional(Failure) }, strict)),
}, strict);

export const SyncJobAnswer = Type.Object({
  id: Type.String(), kind: Type.String(), profileId: Type.String(), status: oneOf(['running', 'done', 'failed']),
  total: Type.Integer(), done: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer(), error: nullable(Type.String()),
  createdAt: Epoch(), updatedAt: Epoch(),
}, strict);
