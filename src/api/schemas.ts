import { Type, type Static } from '@sinclair/typebox';
import { EMAIL_STATUSES, PROVIDER_IDS, ROLES } from '../store/tables.ts';

const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));
const Addresses = Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 1_000 }), { maxItems: 500 })]);

export const AttachmentBody = Type.Object({
  filename: Type.String({ minLength: 1, maxLength: 255 }),
  contentBase64: Type.String({ contentEncoding: 'base64' }),
  contentType: Type.Optional(Type.String({ maxLength: 255 })),
}, { additionalProperties: false });

export const EmailBody = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 1_000 })),
  to: Type.Optional(Addresses),
  cc: Type.Optional(Addresses),
  bcc: Type.Optional(Addresses),
  subject: Type.Optional(Type.String({ maxLength: 2_000 })),
  body: Type.Optional(Type.String()),
  html: Type.Optional(Type.String()),
  attachments: Type.Optional(Type.Array(AttachmentBody, { maxItems: 100 })),
  priority: Type.Optional(literals(['high', 'normal', 'low'] as const)),
}, { additionalProperties: false });
export type EmailBody = Static<typeof EmailBody>;

// Named examples for the document (x-examples becomes the media type's examples); the contract
// test checks each against its schema.
export const QUEUE_EXAMPLES = {
  plain: {
    summary: 'Queue a plain-text email',
    value: {
      to: ['customer@example.com'], subject: 'Your order 1042 has shipped',
      body: 'Hello,\n\nyour order 1042 left our warehouse today.', idempotencyKey: 'order-1042-shipped',
    },
  },
  withAttachment: {
    summary: 'Queue an HTML email with an attachment (its content in base64)',
    value: {
      to: ['"Casey Collections" <casey@example.com>'], cc: ['accounts@example.com'], subject: 'Invoice 2026-118',
      html: '<p>Dear Casey,</p><p>please find invoice 2026-118 attached.</p>',
      attachments: [{ filename: 'invoice-2026-118.csv', contentType: 'text/csv', contentBase64: Buffer.from('item,amount\nConsulting,1200.00\n').toString('base64') }],
      priority: 'high', idempotencyKey: 'invoice-2026-118',
    },
  },
};
export const SEND_EXAMPLES = {
  sendNow: {
    summary: 'Send now through the outgoing mail server',
    value: { to: 'customer@example.com', subject: 'Quick question', body: 'Could you confirm the delivery address?', provider: 'smtp' },
  },
};

export const QueueEmailBody = Type.Composite([EmailBody, Type.Object({
  provider: Type.Optional(Type.String({ maxLength: 32 })),
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
})], { additionalProperties: false, 'x-examples': QUEUE_EXAMPLES });

export const SendBody = Type.Composite([EmailBody, Type.Object({
  provider: Type.Optional(Type.String({ maxLength: 32 })),
  doNotAskAgain: Type.Optional(Type.Boolean()),
})], { additionalProperties: false, 'x-examples': SEND_EXAMPLES });

export const HistoryQuery = Type.Object({
  status: Type.Optional(Type.String({ description: 'One status or several, comma-separated: ' + EMAIL_STATUSES.join(', ') })),
  sender: Type.Optional(Type.String()),
  from: Type.Optional(Type.String({ description: 'ISO date or epoch milliseconds, inclusive' })),
  to: Type.Optional(Type.String({ description: 'ISO date or epoch milliseconds, exclusive' })),
  text: Type.Optional(Type.String({ maxLength: 200 })),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false });

export const SignInBody = Type.Object({ username: Type.String({ minLength: 1 }), password: Type.String({ minLength: 1 }) }, {
  additionalProperties: false,
  'x-examples': { signIn: { summary: 'Sign in (the demo prints its users\' passwords at start)', value: { username: 'admin', password: 'the-password-printed-at-start' } } },
});

export const NewUserBody = Type.Object({
  // The user name's form and the email's shape are checked here too, so every refused value comes back in one answer.
  username: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$', description: 'letters, digits, dots, dashes, underscores or @' }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  email: Type.String({ maxLength: 320, format: 'email' }),
  role: Type.Optional(literals(ROLES)),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })),
  language: Type.Optional(Type.String({ maxLength: 20 })),
}, { additionalProperties: false });

export const UserChangesBody = Type.Partial(Type.Omit(NewUserBody, ['username']), { additionalProperties: false });

export const OptionsBody = Type.Object({
  providerId: Type.Optional(Type.Union([literals(PROVIDER_IDS), Type.Null()])),
  senderEmail: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
  doNotAskAgain: Type.Optional(Type.Boolean()),
  sendNotificationsInEmail: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const ParametersBody = Type.Object({
  batchProvider: Type.Optional(Type.String()),
  attachmentSizeLimitMb: Type.Optional(Type.Number()),
  recipientLimit: Type.Optional(Type.Number()),
  expirationDays: Type.Optional(Type.Number()),
  historyRetentionDays: Type.Optional(Type.Number()),
  throttle: Type.Optional(Type.Record(Type.String(), Type.Number())),
  smtp: Type.Optional(Type.Object({
    host: Type.Optional(Type.String()),
    port: Type.Optional(Type.Number()),
    sslRequired: Type.Optional(Type.Boolean()),
    implicitTls: Type.Optional(Type.Boolean()),
    authRequired: Type.Optional(Type.Boolean()),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'A new password; null or empty clears it. Never returned.' })),
    verifyCertificate: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false })),
  graph: Type.Optional(Type.Object({
    tenantId: Type.Optional(Type.String({ description: 'Directory (tenant) ID' })),
    clientId: Type.Optional(Type.String({ description: 'Application (client) ID' })),
    clientSecret: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'A new Application secret; null or empty clears it. Never returned.' })),
    authorityHost: Type.Optional(Type.String({ description: 'Sign-in host of the cloud, https://login.microsoftonline.com by default' })),
    graphEndpoint: Type.Optional(Type.String({ description: 'Graph endpoint of the cloud, https://graph.microsoft.com by default' })),
    saveToSentItems: Type.Optional(Type.Boolean()),
    batchAccount: Type.Optional(Type.String({ description: 'Mailbox batch sends go out from; empty: each email\'s sender' })),
  }, { additionalProperties: false })),
  exchange: Type.Optional(Type.Object({
    ewsUrl: Type.Optional(Type.String({ description: 'https://mail.example.com/EWS/Exchange.asmx; empty with autodiscover on' })),
    autodiscover: Type.Optional(Type.Boolean()),
    autodiscoverUrl: Type.Optional(Type.String()),
    authentication: Type.Optional(Type.String({ description: 'basic or ntlm' })),
    username: Type.Optional(Type.String()),
    domain: Type.Optional(Type.String()),
    password: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'A new password; null or empty clears it. Never returned.' })),
    impersonation: Type.Optional(Type.Boolean()),
    batchAccount: Type.Optional(Type.String()),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export const DistributorBody = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  recurrenceSeconds: Type.Optional(Type.Number()),
}, { additionalProperties: false });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
