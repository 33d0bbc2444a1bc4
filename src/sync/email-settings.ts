// Email settings: one per environment. The defaults new mailboxes get, the approval and alert
// switches, attachment size, tracking token format, tracking switches and the retry policy of
// transient synchronization failures.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { AppContext } from '../app-context.ts';
import { schemaProblems } from '../config/schema-problems.ts';
import { MailroomError } from '../errors.ts';
import { readSetting, writeSetting } from '../outbound/settings.repository.ts';
import { wakeAllWaitingEmails } from './outgoing/wake-waiting.ts';

const method = (dflt: 'sss' | 'none') => Type.Union([Type.Literal('sss'), Type.Literal('none')], { default: dflt });
const flag = (dflt: boolean) => Type.Boolean({ default: dflt });

export const EmailSettingsSchema = Type.Object({
  /** The profile given to the mailboxes of new users and queues; null: none until one is chosen. */
  defaultProfileId: Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { default: null }),
  defaultIncoming: method('sss'),
  defaultOutgoing: method('sss'),
  defaultAct: method('none'),
  approvedUsersOnly: flag(true),
  approvedQueuesOnly: flag(true),
  alertErrors: flag(true),
  alertWarnings: flag(true),
  alertInformation: flag(true),
  notifyMailboxOwner: flag(false),
  maxAttachmentKb: Type.Integer({ minimum: 0, maximum: 131_072, default: 5_120 }),
  trackingTokenPrefix: Type.String({ maxLength: 20, pattern: '^[A-Za-z0-9]*$', default: 'CRM' }),
  trackingTokenBase: Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 }),
  trackingTokenUserDigits: Type.Integer({ minimum: 1, maximum: 4, default: 3 }),
  trackingTokenCounterDigits: Type.Integer({ minimum: 1, maximum: 9, default: 3 }),
  useCorrelation: flag(true),
  useTrackingTokens: flag(true),
  folderLevelTracking: flag(true),
  smartMatching: flag(false),
  trackBetweenUsersAsTwo: flag(true),
  /** "Set To, cc, bcc as unresolved if multiple matches are found": such an address of incoming mail names no record. */
  unresolvedOnMultipleMatches: flag(false),
  /** How often a transient failure is retried before the channel is disabled. */
  transientRetries: Type.Integer({ minimum: 0, maximum: 100, default: 10 }),
  retryIntervalMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 5 }),
}, { additionalProperties: false });

export type EmailSettings = Static<typeof EmailSettingsSchema>;
export type EmailSettingsChange = Partial<EmailSettings>;
export const EMAIL_SETTING_KEYS = Object.keys(EmailSettingsSchema.properties) as (keyof EmailSettings)[];

const KEY = 'email_settings';

export async function readEmailSettings(ctx: AppContext): Promise<EmailSettings> {
  const stored = (await readSetting<unknown>(ctx.db, KEY)) ?? {};
  return Value.Default(EmailSettingsSchema, stored) as EmailSettings;
}

/** Applies a change; any value out of its range, or any unknown key, refuses the whole change. */
export async function updateEmailSettings(ctx: AppContext, change: EmailSettingsChange): Promise<EmailSettings> {
  const next = { ...(await readEmailSettings(ctx)), ...change };
  const problems = schemaProblems(EmailSettingsSchema, next);
  for (const key of Object.keys(change)) {
    if (!(EMAIL_SETTING_KEYS as string[]).includes(key)) problems.push({ field: key, message: 'This setting does not exist.' });
  }
  if (problems.length === 0 && next.defaultProfileId !== null) {
    const profile = await ctx.db.selectFrom('email_server_profile').select('id').where('id', '=', next.defaultProfileId).executeTakeFirst();
    if (!profile) problems.push({ field: 'defaultProfileId', message: 'There is no email server profile with this id.' });
  }
  if (problems.length > 0) {
    throw new MailroomError('INVALID_PARAMETER', { message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), details: problems });
  }
  const before = await readEmailSettings(ctx);
  await writeSetting(ctx.db, KEY, next, ctx.clock.now());
  // Approval no longer required: what waited for it goes out now rather than at its next look.
  if ((before.approvedUsersOnly && !next.approvedUsersOnly) || (before.approvedQueuesOnly && !next.approvedQueuesOnly)) await wakeAllWaitingEmails(ctx);
  return next;
}

export const retryIntervalMs = (s: EmailSettings) => s.retryIntervalMinutes * 60_000;
