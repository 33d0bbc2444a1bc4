// Request and response schemas of the CRM routes: accounts, contacts, leads, email activities.
import { Type, type TSchema } from '@sinclair/typebox';
import { ACTIVITY_DIRECTIONS, ACTIVITY_STATUSES, CORRELATION_METHODS, RECORD_STATES, SENT_FOLDER_STATES } from '../store/tables.ts';
import { AttachmentBody } from './schemas.ts';

const strict = { additionalProperties: false } as const;
const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Emails = Type.Array(Type.String({ maxLength: 320 }), { maxItems: 3, description: 'Primary first; at most three (emailaddress1..3).' });
const State = literals(RECORD_STATES);
const Owner = Type.String({ maxLength: 100, description: 'A user id or user name; you by default.' });
const Addresses = Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 1_000 }), { maxItems: 500 })]);

export const ErrorAnswer = Type.Object({
  error: Type.Object({
    code: Type.String(), message: Type.String(), explanation: Type.Optional(Type.String()), fix: Type.Optional(Type.String()),
    retryable: Type.Optional(Type.Boolean()), details: Type.Optional(Type.Unknown()), response: Type.Optional(Type.String()),
  }, strict),
}, strict);

/** The error answers every CRM route may give. */
export const errorAnswers = { 400: ErrorAnswer, 401: ErrorAnswer, 403: ErrorAnswer, 404: ErrorAnswer, 409: ErrorAnswer, 413: ErrorAnswer, 500: ErrorAnswer };

export const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words to find in the name, addresses and other text fields' })),
  state: Type.Optional(literals(['active', 'inactive', 'all'] as const)),
  owner: Type.Optional(Type.String({ maxLength: 100, description: 'Owner user id' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  cursor: Type.Optional(Type.String({ maxLength: 1_000 })),
}, strict);
export const ContactListQuery = Type.Composite([ListQuery, Type.Object({ account: Type.Optional(Type.String({ maxLength: 100 })) })], strict);

const page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) }, strict);
const stamps = { ownerId: Nullable(Type.String()), state: State, createdAt: Type.Number(), updatedAt: Type.Number() };

export const Account = Type.Object({
  id: Type.String(), accountNumber: Nullable(Type.String()), name: Type.String(), emails: Type.Array(Type.String()),
  organizationId: Nullable(Type.String()), currency: Type.String(), ...stamps,
}, strict);
export const Contact = Type.Object({
  id: Type.String(), accountId: Nullable(Type.String()), name: Type.String(), emails: Type.Array(Type.String()),
  purpose: Nullable(Type.String()), language: Nullable(Type.String()), ...stamps,
}, strict);
export const Lead = Type.Object({
  id: Type.String(), name: Type.String(), companyName: Nullable(Type.String()), topic: Nullable(Type.String()), emails: Type.Array(Type.String()), ...stamps,
}, strict);
export const Invoice = Type.Object({
  id: Type.String(), number: Type.String(), invoiceDate: Type.String(), dueDate: Type.String(), amountMinor: Type.Number(), openMinor: Type.Number(),
}, strict);
export const AccountDetail = Type.Composite([Account, Type.Object({ contacts: Type.Array(Contact), openInvoices: Type.Array(Invoice) })], strict);
export const AccountPage = page(Account);
export const ContactPage = page(Contact);
export const LeadPage = page(Lead);

export const NewAccountBody = Type.Object({
  name: Type.String({ maxLength: 200 }), accountNumber: Type.Optional(Nullable(Type.String({ maxLength: 20, description: 'e.g. US-008' }))),
  emails: Type.Optional(Emails), organization: Type.Optional(Nullable(Type.String({ maxLength: 100 }))), currency: Type.Optional(Type.String({ maxLength: 3 })),
  owner: Type.Optional(Owner), state: Type.Optional(State),
}, strict);
export const AccountChangesBody = Type.Partial(NewAccountBody, strict);
export const NewContactBody = Type.Object({
  name: Type.String({ maxLength: 200 }), account: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'The account id or number' }))),
  emails: Type.Optional(Emails), purpose: Type.Optional(Nullable(Type.String({ maxLength: 60, description: 'e.g. Statements' }))),
  language: Type.Optional(Nullable(Type.String({ maxLength: 20 }))), owner: Type.Optional(Owner), state: Type.Optional(State),
}, strict);
export const ContactChangesBody = Type.Partial(NewContactBody, strict);
export const NewLeadBody = Type.Object({
  name: Type.String({ maxLength: 200 }), companyName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))), topic: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
  emails: Type.Optional(Emails), owner: Type.Optional(Owner), state: Type.Optional(State),
}, strict);
export const LeadChangesBody = Type.Partial(NewLeadBody, strict);
export const InvoiceBody = Type.Object({
  number: Type.String({ maxLength: 40 }), invoiceDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), dueDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  amount: Type.Number({ minimum: 0 }), open: Type.Optional(Type.Number({ minimum: 0 })),
}, strict);

// ── email activities ─────────────────────────────────────────────────────────────────────
const RecordRefBody = Type.Object({ type: Type.String({ maxLength: 40 }), id: Type.String({ maxLength: 100 }) }, strict);
const PartyRecord = Type.Object({ type: Type.String(), id: Type.String(), name: Nullable(Type.String()) }, strict);
const Party = Type.Object({ address: Type.String(), name: Type.String(), records: Type.Array(PartyRecord) }, strict);
const ActivityAttachment = Type.Object({
  id: Type.String(), filename: Type.String(), contentType: Type.String(), contentId: Nullable(Type.String()), size: Type.Number(),
  stored: Type.Boolean({ description: 'False when it was over the maximum attachment size: only its name and size are kept' }), skippedCode: Nullable(Type.String()),
}, strict);
const activityFields = {
  id: Type.String(), direction: literals(ACTIVITY_DIRECTIONS), status: literals(ACTIVITY_STATUSES), statusDetail: Nullable(Type.String()), subject: Type.String(),
  messageId: Nullable(Type.String()), inReplyTo: Nullable(Type.String()), references: Type.Array(Type.String()), trackingToken: Nullable(Type.String()),
  receivedAt: Nullable(Type.Number()), sentAt: Nullable(Type.Number()),
  from: Nullable(Party), to: Type.Array(Party), cc: Type.Array(Party), bcc: Type.Array(Party), regarding: Nullable(PartyRecord), ownerId: Nullable(Type.String()),
  accepting: Nullable(Type.Object({ type: literals(['user', 'queue'] as const), id: Type.String() }, strict)),
  correlatedBy: Nullable(literals(CORRELATION_METHODS)), correlatedActivityId: Nullable(Type.String()),
  mailboxes: Type.Array(Type.String()), attachments: Type.Array(ActivityAttachment), createdAt: Type.Number(), updatedAt: Type.Number(),
  emailId: Nullable(Type.String({ description: 'The queued email of an activity sent from the application: its attempts and failure are on GET /api/emails/{id}' })),
  sentFolder: Nullable(literals(SENT_FOLDER_STATES)),
};
export const Activity = Type.Object(activityFields, strict);
export const ActivityDetail = Type.Object({ ...activityFields, text: Nullable(Type.String()), html: Nullable(Type.String({ description: 'As received; never render it unsanitized' })) }, strict);
export const ActivityPage = page(Activity);

export const ActivityListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Text in the subject or a party\'s address or name' })),
  direction: Type.Optional(literals(ACTIVITY_DIRECTIONS)), status: Type.Optional(literals(ACTIVITY_STATUSES)),
  regarding: Type.Optional(Type.String({ maxLength: 150, description: 'TYPE:ID (account:…) or a record id' })),
  mailbox: Type.Optional(Type.String({ maxLength: 320, description: 'Mailbox id or email address (404 for one you may not see)' })), owner: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 1_000 })),
}, strict);
export const NewActivityBody = Type.Object({
  direction: literals(ACTIVITY_DIRECTIONS), subject: Type.String({ maxLength: 2_000 }),
  text: Type.Optional(Nullable(Type.String({ maxLength: 1_000_000 }))), html: Type.Optional(Nullable(Type.String({ maxLength: 5_000_000 }))),
  from: Type.Optional(Type.String({ maxLength: 1_000, description: 'Required for incoming; an outgoing draft is from its owner' })),
  to: Type.Optional(Addresses), cc: Type.Optional(Addresses), bcc: Type.Optional(Addresses),
  regarding: Type.Optional(Nullable(RecordRefBody)), owner: Type.Optional(Owner),
  attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 100 })),
  template: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Outgoing only: a general email template (id or Email ID) whose subject and HTML fill what is left empty' })),
}, strict);
export const ActivityChangesBody = Type.Object({
  subject: Type.Optional(Type.String({ maxLength: 2_000 })),
  text: Type.Optional(Nullable(Type.String({ maxLength: 1_000_000 }))), html: Type.Optional(Nullable(Type.String({ maxLength: 5_000_000 }))),
  to: Type.Optional(Addresses), cc: Type.Optional(Addresses), bcc: Type.Optional(Addresses),
  regarding: Type.Optional(Nullable(RecordRefBody)), owner: Type.Optional(Owner),
}, strict);
export const AttachmentParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }), attachmentId: Type.String({ minLength: 1, maxLength: 100 }) }, strict);

// ── sending email activities (issue 9) ───────────────────────────────────────────────────
const QueueRef = Type.String({ minLength: 1, maxLength: 320, description: 'Send from this queue\'s mailbox (id, name or address); the owner\'s own mailbox when left out' });
export const SendActivityBody = Type.Object({ queue: Type.Optional(QueueRef) }, strict);
export const ComposeSendBody = Type.Object({
  subject: Type.String({ maxLength: 2_000 }),
  text: Type.Optional(Nullable(Type.String({ maxLength: 1_000_000 }))), html: Type.Optional(Nullable(Type.String({ maxLength: 5_000_000 }))),
  from: Type.Optional(Type.String({ maxLength: 1_000, description: 'Another address than the mailbox\'s own needs a Send-As grant' })),
  to: Type.Optional(Addresses), cc: Type.Optional(Addresses), bcc: Type.Optional(Addresses),
  regarding: Type.Optional(Nullable(RecordRefBody)),
  attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 100 })),
  queue: Type.Optional(QueueRef),
  template: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A general email template (id or Email ID): its subject and HTML fill what is left empty' })),
}, strict);

// ── writing an email activity from a template (issue 9) ─────────────────────────────────
export const ActivityTemplateQuery = Type.Object({
  regarding: Type.Optional(Type.String({ maxLength: 150, description: 'TYPE:ID (or a record id): the templates that apply to it — its organization\'s, then the system\'s' })),
}, strict);
export const ActivityTemplate = Type.Object({
  id: Type.String(), emailId: Type.String(), description: Type.String(), kind: Type.Literal('general'),
  scope: literals(['system', 'organization'] as const),
  organization: Nullable(Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() }, strict)),
  defaultLanguage: Type.String(), languages: Type.Array(Type.String(), { description: 'The languages it has a message in' }),
}, strict);
export const RenderTemplateBody = Type.Object({
  regarding: Type.Optional(Nullable(RecordRefBody)),
  to: Type.Optional(Addresses),
}, strict);
export const RenderedActivityTemplate = Type.Object({
  templateId: Type.String(), emailId: Type.String(), language: Type.String({ description: 'The language whose message was used' }),
  subject: Type.String(), html: Type.String({ description: 'Filled from the template; sanitize it before it enters a page' }),
}, strict);
