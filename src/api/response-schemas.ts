// What the API answers, as named schemas. Each is registered once (app.addSchema, see
// openapi.ts), appears in /openapi.json under components.schemas by its $id, and is what Fastify
// serializes the answer through: a field that is not declared here never leaves the server.
// Routes point at them with ref(); the console's types are generated from the document.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EMAIL_STATUSES, PROVIDER_IDS, QUEUE_PROVIDER_IDS, ROLES } from '../store/tables.ts';

const strict = { additionalProperties: false } as const;
/** One of these strings: a plain enum, which the serializer writes as the value it is given. */
export const literals = <T extends readonly string[]>(values: T, options = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
export const nullable = <T extends TSchema>(schema: T, options = {}) => Type.Union([schema, Type.Null()], options);
/** An array the server may hand over as readonly. */
export const list = <T extends TSchema>(item: T, options = {}) => Type.Unsafe<readonly Static<T>[]>(Type.Array(item, options));
/** A reference to a named schema, typed as the schema itself. */
export const ref = <T extends TSchema>(schema: T) => Type.Unsafe<Static<T>>(Type.Ref(schema.$id!));
/** A 204 answer: no body. */
export const NoContent = (description: string) => Type.Unsafe<void>(Type.Null({ description }));
/** A file answer (not JSON): the body is the file itself, in this media type. */
export const Binary = (mediaType: string, description: string) => ({ description, content: { [mediaType]: { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) } } });
const Epoch = (description = 'epoch milliseconds') => Type.Number({ description });

export const Role = literals(ROLES, { $id: 'Role' });
export const ProviderId = literals(PROVIDER_IDS, { $id: 'ProviderId' });
export const QueueProviderId = literals(QUEUE_PROVIDER_IDS, { $id: 'QueueProviderId', description: 'a provider, or mailbox: the outgoing channel of a user\'s or queue\'s mailbox (an email activity sent from the application)' });
export const EmailStatus = literals(EMAIL_STATUSES, { $id: 'EmailStatus' });

export const User = Type.Object({
  id: Type.String(), username: Type.String(), name: Type.String(), email: Type.String(),
  role: ref(Role), language: Type.String(),
}, { ...strict, $id: 'User' });

export const UserOptions = Type.Object({
  providerId: nullable(ref(ProviderId), { description: 'null: ask which provider on every send' }),
  senderEmail: nullable(Type.String(), { description: 'the administrator\'s override of the From address' }),
  doNotAskAgain: Type.Boolean(),
  lastChoice: nullable(ref(ProviderId)),
  sendNotificationsInEmail: Type.Boolean(),
}, { ...strict, $id: 'UserOptions' });

export const SendAsList = Type.Object({ sendAs: list(Type.String()) }, { ...strict, $id: 'SendAsList' });
export const UserDetail = Type.Composite([User, Type.Object({ sendAs: list(Type.String()) })], { ...strict, $id: 'UserDetail' });
export const Me = Type.Object({ user: ref(User), options: ref(UserOptions), sendAs: list(Type.String()) }, { ...strict, $id: 'Me' });
export const Session = Type.Object({
  token: Type.String({ description: 'send as Authorization: Bearer <token>' }), user: ref(User), expiresAt: Epoch(),
}, { ...strict, $id: 'Session' });
export const NewApiToken = Type.Object({ token: Type.String({ description: 'shown once; only its hash is stored' }), expiresAt: nullable(Epoch()) }, { ...strict, $id: 'NewApiToken' });
export const ApiToken = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Epoch(), expiresAt: nullable(Epoch()) }, { ...strict, $id: 'ApiToken' });

// ── emails ──────────────────────────────────────────────────────────────────────────────────

export const Mailbox = Type.Object({ name: Type.String(), address: Type.String() }, { ...strict, $id: 'Mailbox' });
export const RecipientResult = Type.Object({
  address: Type.String(), accepted: Type.Boolean(), code: Type.Optional(Type.String()), response: Type.Optional(Type.String()),
}, { ...strict, $id: 'RecipientResult' });
export const FailureDetails = Type.Object({
  code: Type.String(), message: Type.String(), explanation: Type.Optional(Type.String()), fix: Type.Optional(Type.String()),
  retryable: Type.Boolean(),
  response: nullable(Type.String(), { description: 'the server\'s reply, word for word' }),
  command: nullable(Type.String()),
}, { ...strict, $id: 'FailureDetails' });

const emailFields = {
  id: Type.String(), messageId: Type.String(),
  mode: literals(['batch', 'interactive'] as const), provider: ref(QueueProviderId), status: ref(EmailStatus),
  mailboxId: nullable(Type.String({ description: 'the mailbox that sends it (provider mailbox)' })),
  userId: nullable(Type.String()), sender: Type.String(), senderName: nullable(Type.String()),
  to: list(ref(Mailbox)), cc: list(ref(Mailbox)), bcc: list(ref(Mailbox)),
  subject: Type.String(), sizeBytes: Type.Integer(), attempts: Type.Integer(), deferrals: Type.Integer(),
  nextAttemptAt: nullable(Epoch()), claimedBy: nullable(Type.String()), leaseUntil: nullable(Epoch()),
  expiresAt: Epoch(), createdAt: Epoch(), updatedAt: Epoch(), sentAt: nullable(Epoch()),
  resentFrom: nullable(Type.String({ description: 'the id of the email this one was resent from' })),
  recipients: nullable(list(ref(RecipientResult))),
  failure: nullable(ref(FailureDetails)),
};
export const EmailView = Type.Object(emailFields, { ...strict, $id: 'EmailView' });
export const AttemptEntry = Type.Object({
  attempt: Type.Integer(), worker: nullable(Type.String({ description: 'the Mailroom process (host:pid) that tried; null for users who are not administrators' })), startedAt: Epoch(), finishedAt: Epoch(),
  outcome: literals(['sent', 'retry', 'failed', 'deferred', 'expired'] as const),
  code: nullable(Type.String()), response: nullable(Type.String()),
}, { ...strict, $id: 'AttemptEntry' });
export const EmailDetail = Type.Object({ ...emailFields, attemptLog: list(ref(AttemptEntry)) }, { ...strict, $id: 'EmailDetail' });
export const QueuedEmail = Type.Object({
  email: ref(EmailView), duplicate: Type.Boolean({ description: 'true when the idempotency key named an email already queued' }),
}, { ...strict, $id: 'QueuedEmail' });
export const SendResult = Type.Object({
  email: ref(EmailView), emlBase64: Type.Optional(Type.String({ description: 'the .eml, when the email app was chosen' })),
}, { ...strict, $id: 'SendResult' });
export const HistoryPage = Type.Object({
  items: list(ref(EmailView)), nextCursor: nullable(Type.String({ description: 'pass as cursor for the next page' })),
}, { ...strict, $id: 'HistoryPage' });
export const Summary = Type.Object({
  since: Epoch(),
  counts: Type.Unsafe<Partial<Record<Static<typeof EmailStatus>, number>>>(Type.Record(Type.String(), Type.Integer(), { description: 'emails per status; absent statuses have none' })),
  hours: list(Type.Object({
    start: Epoch('the hour\'s start, epoch milliseconds (since, since + 1 h, …)'),
    sent: Type.Integer(), failed: Type.Integer({ description: 'failed or expired' }), waiting: Type.Integer({ description: 'waiting, deferred or sending' }),
  }, strict), { description: 'the emails handed in during each hour, by what became of them' }),
}, { ...strict, $id: 'Summary' });

export const SendChoice = Type.Object({ id: ref(ProviderId), label: Type.String() }, { ...strict, $id: 'SendChoice' });
export const Draft = Type.Object({
  from: Type.String(), to: list(Type.String()), cc: list(Type.String()), bcc: list(Type.String()),
  subject: Type.String(), body: Type.String(), html: Type.String(),
  attachments: list(Type.Object({ filename: Type.String(), contentType: Type.Optional(Type.String()), size: Type.Integer() }, strict)),
  ask: Type.Boolean({ description: 'whether the dialog must ask how to send' }),
  provider: nullable(ref(ProviderId)),
  choices: list(ref(SendChoice)),
  attachmentSizeLimitMb: Type.Integer({ description: 'the Attachment size limit, so a form can refuse a big file before uploading it' }),
}, { ...strict, $id: 'Draft' });

export const MessageAttachment = Type.Object({
  index: Type.Integer(), filename: nullable(Type.String()), contentType: Type.String(), size: Type.Integer(), inline: Type.Boolean(),
}, { ...strict, $id: 'MessageAttachment' });
export const MessageContent = Type.Object({
  headers: list(Type.String()), text: Type.String(),
  html: nullable(Type.String(), { description: 'cid: images turned into data: URLs; render it sandboxed' }),
  attachments: list(ref(MessageAttachment)),
}, { ...strict, $id: 'MessageContent' });

// ── parameters and distributor ──────────────────────────────────────────────────────────────

const Throttle = Type.Object({ smtp: Type.Integer(), eml: Type.Integer(), graph: Type.Integer(), exchange: Type.Integer() }, { ...strict, description: 'per-minute sending limit per provider; 0 means none' });
export const EmailParameters = Type.Object({
  batchProvider: ref(ProviderId),
  attachmentSizeLimitMb: Type.Integer(),
  recipientLimit: Type.Integer({ description: 'the most recipients one email may have, To, Cc and Bcc together' }),
  expirationDays: Type.Integer({ description: '0 means the default of 30' }),
  historyRetentionDays: Type.Integer({ description: '0 means the default of 30' }),
  throttle: Throttle,
  smtp: Type.Object({
    host: Type.String(), port: Type.Integer(), sslRequired: Type.Boolean(), implicitTls: Type.Boolean(), authRequired: Type.Boolean(),
    username: Type.String(), verifyCertificate: Type.Boolean(),
    passwordSet: Type.Boolean({ description: 'the password itself is never returned' }),
  }, strict),
  graph: Type.Object({
    tenantId: Type.String(), clientId: Type.String(), authorityHost: Type.String(), graphEndpoint: Type.String(),
    saveToSentItems: Type.Boolean(), batchAccount: Type.String(),
    clientSecretSet: Type.Boolean({ description: 'the secret itself is never returned' }),
    configured: Type.Boolean({ description: 'tenant, client and secret are all set' }),
  }, strict),
  exchange: Type.Object({
    ewsUrl: Type.String(), autodiscover: Type.Boolean(), autodiscoverUrl: Type.String(), authentication: literals(['basic', 'ntlm'] as const),
    username: Type.String(), domain: Type.String(), impersonation: Type.Boolean(), batchAccount: Type.String(),
    passwordSet: Type.Boolean({ description: 'the password itself is never returned' }),
    configured: Type.Boolean({ description: 'an endpoint (or autodiscover), a user name and a password are set' }),
  }, strict),
  warnings: list(Type.Object({ field: Type.String(), message: Type.String() }, strict), { description: 'settings that work but are not recommended' }),
  effective: Type.Object({ expirationDays: Type.Integer(), historyRetentionDays: Type.Integer(), throttle: Throttle, smtpLimitAutomatic: Type.Boolean() }, strict),
}, { ...strict, $id: 'EmailParameters' });

export const ConnectionReport = Type.Object({
  ok: Type.Boolean(),
  steps: list(Type.Object({ step: Type.String(), ok: Type.Boolean(), detail: Type.String() }, strict)),
}, { ...strict, $id: 'ConnectionReport' });

export const DistributorRun = Type.Object({
  at: Epoch(), worker: Type.String(), claimed: Type.Integer(), sent: Type.Integer(), failed: Type.Integer(),
  retried: Type.Integer(), deferred: Type.Integer(), expired: Type.Integer(), purged: Type.Integer(),
}, { ...strict, $id: 'DistributorRun' });
export const DistributorStatus = Type.Object({
  enabled: Type.Boolean(), recurrenceSeconds: Type.Integer(), lastRun: nullable(ref(DistributorRun)), nextRunAt: nullable(Epoch()),
}, { ...strict, $id: 'DistributorStatus' });

export const ErrorDescription = Type.Object({
  code: Type.String(), message: Type.String(), explanation: Type.Optional(Type.String()), fix: Type.Optional(Type.String()), retryable: Type.Boolean(),
}, { ...strict, $id: 'ErrorDescription' });

export const CapturedEmail = Type.Object({
  id: Type.String(), receivedAt: Epoch(), from: Type.String(), to: list(Type.String()), subject: Type.String(), sizeBytes: Type.Integer(),
}, { ...strict, $id: 'CapturedEmail' });
export const CapturedDetail = Type.Object({
  ...CapturedEmail.properties, headers: list(Type.String()), text: Type.String(), html: nullable(Type.String()),
  attachments: list(Type.Object({ filename: nullable(Type.String()), contentType: Type.String(), size: Type.Integer() }, strict)),
}, { ...strict, $id: 'CapturedDetail' });

export const Health = Type.Object({ ok: Type.Boolean() }, { ...strict, $id: 'Health' });

export const RESPONSE_SCHEMAS_CORE = [
  Role, ProviderId, QueueProviderId, EmailStatus, User, UserOptions, SendAsList, UserDetail, Me, Session, NewApiToken, ApiToken,
  Mailbox, RecipientResult, FailureDetails, EmailView, AttemptEntry, EmailDetail, QueuedEmail, SendResult, HistoryPage, Summary,
  SendChoice, Draft, MessageAttachment, MessageContent, EmailParameters, ConnectionReport, DistributorRun, DistributorStatus, ErrorDescription, CapturedEmail, CapturedDetail, Health,
] as const;
