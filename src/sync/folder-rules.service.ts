// Folder tracking rules (§2.5 item 39): up to 25 folders under a user's Inbox, each optionally
// with a regarding record that is applied again on every sync. Mail in such a folder is tracked
// whatever the tracking option says, as manual tracking is. The reference allows them for
// Exchange only; IMAP has folders, so Mailroom offers them there too (not POP3, not queues).
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { assertRegardingExists, parseRegarding, type RecordRef } from '../crm/record-types.ts';
import { MailroomError } from '../errors.ts';

export const MAX_FOLDER_RULES = 25;

export interface FolderRule {
  readonly id: string;
  readonly userId: string;
  readonly folder: string;
  readonly regarding: RecordRef | null;
  readonly createdAt: number;
}

export interface FolderRuleInput {
  readonly folder: string;
  /** "account:ID" (or a bare record id), or a reference; absent: no regarding record. */
  readonly regarding?: string | RecordRef | null;
}

const invalid = (field: string, message: string) => new MailroomError('INVALID_PARAMETER', { message: `${field}: ${message}`, details: [{ field, message }] });

/** A subfolder of the Inbox, whatever the server's hierarchy separator ("/" or "."). */
export function checkRuleFolder(folder: string): string {
  const path = folder.trim();
  if (!/^inbox[/.]./i.test(path)) throw invalid('folder', 'A folder tracking rule names a folder under the Inbox, such as INBOX/Projects (the Inbox itself is always evaluated).');
  if (path.length > 500 || /[\r\n\0]/.test(path)) throw invalid('folder', 'A folder path has at most 500 characters and no line breaks.');
  return `INBOX${path.slice(5)}`;
}

type RuleRow = { id: string; user_id: string; folder: string; regarding_type: string | null; regarding_id: string | null; created_at: number };
const toRule = (r: RuleRow): FolderRule => ({
  id: r.id, userId: r.user_id, folder: r.folder,
  regarding: r.regarding_type && r.regarding_id ? { type: r.regarding_type, id: r.regarding_id } : null, createdAt: r.created_at,
});

export async function listFolderRules(ctx: AppContext, userId: string): Promise<FolderRule[]> {
  const rows = await ctx.db.selectFrom('folder_tracking_rule').selectAll().where('user_id', '=', userId).orderBy('folder').execute();
  return rows.map(toRule);
}

export async function addFolderRule(ctx: AppContext, userId: string, input: FolderRuleInput): Promise<FolderRule> {
  const unknown = Object.keys(input).filter((k) => !['folder', 'regarding'].includes(k));
  if (unknown.length) throw invalid(unknown[0]!, 'This field does not exist.');
  if (typeof input.folder !== 'string') throw invalid('folder', 'Give the folder\'s path.');
  const folder = checkRuleFolder(input.folder);
  let regarding: RecordRef | null = null;
  if (typeof input.regarding === 'string' && input.regarding) regarding = await parseRegarding(ctx, input.regarding);
  else if (input.regarding && typeof input.regarding === 'object') { await assertRegardingExists(ctx, input.regarding); regarding = { type: input.regarding.type, id: input.regarding.id }; }
  const existing = await listFolderRules(ctx, userId);
  if (existing.some((r) => r.folder.toLowerCase() === folder.toLowerCase())) throw new MailroomError('CONFLICT', { message: `There is already a folder tracking rule for ${folder}.` });
  if (existing.length >= MAX_FOLDER_RULES) throw invalid('folder', `A user has at most ${MAX_FOLDER_RULES} folder tracking rules; remove one first.`);
  const row: RuleRow = { id: randomUUID(), user_id: userId, folder, regarding_type: regarding?.type ?? null, regarding_id: regarding?.id ?? null, created_at: ctx.clock.now() };
  await ctx.db.insertInto('folder_tracking_rule').values(row).execute();
  return toRule(row);
}

/** By the rule's id or its folder. */
export async function removeFolderRule(ctx: AppContext, userId: string, ref: string): Promise<void> {
  const rules = await listFolderRules(ctx, userId);
  const rule = rules.find((r) => r.id === ref) ?? rules.find((r) => r.folder.toLowerCase() === ref.trim().toLowerCase());
  if (!rule) throw new MailroomError('NOT_FOUND', { message: `No folder tracking rule ${ref}.` });
  await ctx.db.deleteFrom('folder_tracking_rule').where('id', '=', rule.id).execute();
}
