// System email templates (system-wide) and organization email templates (per organization):
// what the API and CLI call.
import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { AppContext } from '../app-context.ts';
import { getOrganization } from '../crm/organizations.service.ts';
import { MailroomError } from '../errors.ts';
import { assertNoLineBreak, isValidAddress } from '../mime/addresses.ts';
import { queueEmail } from '../outbound/outbound.service.ts';
import { sampleData, TEMPLATE_KINDS, vocabulary, type TemplateKind } from './template-kinds.ts';
import { checkText, normalizeLanguage, PRIORITIES, renderTemplate, templateSender, toEmailInput, type EmailTemplate, type RenderedMail } from './template-render.ts';
import type { TemplateData } from './template-syntax.ts';
import * as repo from './templates.repository.ts';

const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));

export const TemplateMessageSchema = Type.Object({
  language: Type.String({ minLength: 2, maxLength: 20 }),
  subject: Type.String({ maxLength: 1_000 }),
  html: Type.String({ maxLength: 1_000_000 }),
}, { additionalProperties: false });

export const TemplateInputSchema = Type.Object({
  emailId: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$', description: 'Email ID: the unique key within its store' }),
  kind: literals(TEMPLATE_KINDS),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  senderName: Type.Optional(Type.String({ maxLength: 200 })),
  senderEmail: Type.Optional(Type.String({ maxLength: 320 })),
  defaultLanguage: Type.String({ minLength: 2, maxLength: 20 }),
  priority: Type.Optional(literals(PRIORITIES)),
  messages: Type.Array(TemplateMessageSchema, { minItems: 1, maxItems: 50 }),
}, { additionalProperties: false });
export type TemplateInput = Static<typeof TemplateInputSchema>;

const LANGUAGE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/;

function toTemplate(row: repo.TemplateRow, messages: readonly repo.MessageRow[]): EmailTemplate {
  return {
    id: row.id, scope: row.organization_id ? 'organization' : 'system', organizationId: row.organization_id,
    emailId: row.email_id, kind: row.kind as TemplateKind, description: row.description, senderName: row.sender_name,
    senderEmail: row.sender_email, defaultLanguage: row.default_language, priority: row.priority,
    messages: messages.filter((m) => m.template_id === row.id).map((m) => ({ language: m.language, subject: m.subject, html: m.html })),
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

/** Checks everything a template must satisfy before it is stored; returns it normalized. */
export function validateTemplate(input: TemplateInput): TemplateInput {
  if (!Value.Check(TemplateInputSchema, input)) {
    const errors = [...Value.Errors(TemplateInputSchema, input)].slice(0, 10).map((e) => ({ path: e.path, message: e.message }));
    throw new MailroomError('VALIDATION_FAILED', { message: `The template is not valid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, details: errors });
  }
  const senderEmail = (input.senderEmail ?? '').trim();
  if (senderEmail && (!isValidAddress(senderEmail) || /[\r\n]/.test(senderEmail))) {
    throw new MailroomError('TEMPLATE_SENDER_INVALID', { message: `"${senderEmail}" is not a valid sender email.`, details: { field: 'senderEmail' } });
  }
  if (!senderEmail && input.kind === 'workflow') {
    throw new MailroomError('TEMPLATE_SENDER_INVALID', { message: 'A workflow notification template needs a sender email: notifications are sent from it.', details: { field: 'senderEmail' } });
  }
  assertNoLineBreak('Sender name', input.senderName ?? '');
  const defaultLanguage = normalizeLanguage(input.defaultLanguage);
  const messages = input.messages.map((m) => ({ ...m, language: normalizeLanguage(m.language) }));
  const seen = new Set<string>();
  for (const m of messages) {
    if (!LANGUAGE.test(m.language)) throw new MailroomError('VALIDATION_FAILED', { message: `"${m.language}" is not a language code such as en-us or de.`, details: { field: 'language', language: m.language } });
    if (seen.has(m.language)) throw new MailroomError('VALIDATION_FAILED', { message: `There are two messages for ${m.language}.`, details: { field: 'language', language: m.language } });
    seen.add(m.language);
    assertNoLineBreak('Subject', m.subject);
    const words = vocabulary(input.kind);
    checkText('subject', m.subject, words, false, { language: m.language });
    checkText('html', m.html, words, true, { language: m.language });
  }
  if (!seen.has(defaultLanguage)) throw new MailroomError('TEMPLATE_LANGUAGE_MISSING', { message: `There is no message in the default language ${defaultLanguage}.`, details: { language: defaultLanguage } });
  return { ...input, senderEmail, defaultLanguage, messages };
}

export async function createTemplate(ctx: AppContext, organization: string | null, input: TemplateInput): Promise<EmailTemplate> {
  const organizationId = organization ? (await getOrganization(ctx, organization)).id : null;
  const checked = validateTemplate(input);
  if (await repo.findByEmailId(ctx.db, organizationId, checked.emailId)) {
    throw new MailroomError('CONFLICT', { message: `There is already a template ${checked.emailId} in this store.`, details: { emailId: checked.emailId } });
  }
  return store(ctx, randomUUID(), organizationId, checked, ctx.clock.now(), true);
}

/** Replaces a template's header and messages; it stays in its store. */
export async function updateTemplate(ctx: AppContext, id: string, input: TemplateInput): Promise<EmailTemplate> {
  const current = await getTemplate(ctx, id);
  const checked = validateTemplate(input);
  const clash = await repo.findByEmailId(ctx.db, current.organizationId, checked.emailId);
  if (clash && clash.id !== id) throw new MailroomError('CONFLICT', { message: `There is already a template ${checked.emailId} in this store.` });
  return store(ctx, id, current.organizationId, checked, current.createdAt, false);
}

async function store(ctx: AppContext, id: string, organizationId: string | null, t: TemplateInput, createdAt: number, isNew: boolean): Promise<EmailTemplate> {
  const row: repo.TemplateRow = {
    id, scope_key: repo.scopeKey(organizationId), organization_id: organizationId, email_id: t.emailId, kind: t.kind,
    description: t.description ?? '', sender_name: (t.senderName ?? '').trim(), sender_email: t.senderEmail ?? '',
    default_language: t.defaultLanguage, priority: t.priority ?? 'normal', created_at: createdAt, updated_at: ctx.clock.now(),
  };
  const messages = t.messages.map((m) => ({ template_id: id, language: m.language, subject: m.subject, html: m.html }));
  await repo.saveTemplate(ctx.db, row, messages, isNew);
  return toTemplate(row, messages);
}

export async function getTemplate(ctx: AppContext, id: string): Promise<EmailTemplate> {
  const row = await repo.findTemplate(ctx.db, id);
  if (!row) throw new MailroomError('NOT_FOUND', { message: 'No such email template.' });
  return toTemplate(row, await repo.listMessages(ctx.db, [id]));
}

/** The template with this Email ID in one store: the system's (null) or an organization's. */
export async function findTemplate(ctx: AppContext, organizationId: string | null, emailId: string): Promise<EmailTemplate | null> {
  const row = await repo.findByEmailId(ctx.db, organizationId, emailId);
  return row ? toTemplate(row, await repo.listMessages(ctx.db, [row.id])) : null;
}

/** System templates (organization null), one organization's (id or code), or all (undefined). */
export async function listTemplates(ctx: AppContext, filter: { organization?: string | null; kind?: TemplateKind } = {}): Promise<EmailTemplate[]> {
  const organizationId = filter.organization ? (await getOrganization(ctx, filter.organization)).id : filter.organization;
  const rows = await repo.listTemplates(ctx.db, { organizationId, kind: filter.kind });
  const messages = await repo.listMessages(ctx.db, rows.map((r) => r.id));
  return rows.map((r) => toTemplate(r, messages));
}

export async function deleteTemplate(ctx: AppContext, id: string): Promise<void> {
  if (!(await repo.deleteTemplate(ctx.db, id))) throw new MailroomError('NOT_FOUND', { message: 'No such email template.' });
}

/** The template filled with its kind's sample data (or the data given), in the language asked. */
export async function previewTemplate(ctx: AppContext, id: string, options: { language?: string; data?: TemplateData } = {}): Promise<RenderedMail & { from: string | null }> {
  const template = await getTemplate(ctx, id);
  const mail = renderTemplate(template, options.language, options.data ?? sampleData(template.kind));
  return { ...mail, from: template.senderEmail ? templateSender(template) : null };
}

/** Queues the template, filled with sample data, to one address from the template's sender. */
export async function testSendTemplate(ctx: AppContext, id: string, options: { to: string; language?: string }) {
  const template = await getTemplate(ctx, id);
  const mail = renderTemplate(template, options.language, sampleData(template.kind));
  const input = toEmailInput(template, { ...mail, subject: `[Test] ${mail.subject}` }, options.to);
  return (await queueEmail(ctx, null, input)).email;
}
