// Writing an email activity from a general email template of the outbound half: the template's
// subject and HTML in the recipient's language (a regarding contact's, else the template's
// default), with its placeholders filled from the record it regards (%company%: the account's
// organization, %for%: who it goes to, %date%: today). What the writer typed wins over the template.
//
// Every signed-in user may write from one: listActivityTemplates names the templates that apply to
// a record (its organization's, then the system's of another Email ID) without the administrator's
// details (sender, priority, the messages themselves), and renderActivityTemplate fills one.
import type { AppContext } from '../../app-context.ts';
import type { ActivityInput } from '../../crm/email-activity.service.ts';
import { recordNames, type RecordRef } from '../../crm/record-types.ts';
import { MailroomError } from '../../errors.ts';
import { parseMailboxes } from '../../mime/addresses.ts';
import { renderTemplate } from '../../templates/template-render.ts';
import { findTemplate, getTemplate, listTemplates } from '../../templates/templates.service.ts';
import type { EmailTemplate, RenderedMail } from '../../templates/template-render.ts';

export type TemplatedInput = Omit<ActivityInput, 'direction' | 'owner'>;

interface RegardingFacts {
  readonly organizationId: string | null;
  readonly language: string | null;
  readonly name: string | null;
}

async function regardingFacts(ctx: AppContext, regarding: RecordRef | null | undefined): Promise<RegardingFacts> {
  if (!regarding) return { organizationId: null, language: null, name: null };
  const name = (await recordNames(ctx, [regarding])).get(`${regarding.type}:${regarding.id}`) ?? null;
  if (regarding.type === 'organization') return { organizationId: name === null ? null : regarding.id, language: null, name };
  let accountId: string | null = regarding.type === 'account' ? regarding.id : null;
  let language: string | null = null;
  if (regarding.type === 'contact') {
    const contact = await ctx.db.selectFrom('contact').select(['account_id', 'language']).where('id', '=', regarding.id).executeTakeFirst();
    accountId = contact?.account_id ?? null;
    language = contact?.language ?? null;
  }
  if (regarding.type === 'invoice') {
    accountId = (await ctx.db.selectFrom('invoice').select('account_id').where('id', '=', regarding.id).executeTakeFirst())?.account_id ?? null;
  }
  const account = accountId ? await ctx.db.selectFrom('account').select('organization_id').where('id', '=', accountId).executeTakeFirst() : undefined;
  return { organizationId: account?.organization_id ?? null, language, name };
}

/** The template by id, or by Email ID in the regarding record's organization's store, then the system's. */
async function templateFor(ctx: AppContext, ref: string, organizationId: string | null): Promise<EmailTemplate> {
  const found = (organizationId ? await findTemplate(ctx, organizationId, ref) : null) ?? await findTemplate(ctx, null, ref)
    ?? await getTemplate(ctx, ref).catch(() => null);
  if (!found) throw new MailroomError('NOT_FOUND', { message: `No email template ${ref}.`, details: { field: 'template' } });
  if (found.kind !== 'general') {
    throw new MailroomError('VALIDATION_FAILED', { message: `Template ${found.emailId} is a ${found.kind} template; an email activity is written from a general one.`, details: { field: 'template' } });
  }
  return found;
}

/** A template a user may write an email activity from: what the picker shows, nothing of its set-up. */
export interface ActivityTemplate {
  readonly id: string;
  readonly emailId: string;
  readonly description: string;
  readonly kind: 'general';
  readonly scope: 'system' | 'organization';
  readonly organization: { readonly id: string; readonly code: string; readonly name: string } | null;
  readonly defaultLanguage: string;
  readonly languages: readonly string[];
}

/**
 * The general templates a user may write from. For a regarding record: its organization's, then
 * the system's whose Email ID the organization does not have (the one applyTemplate would pick);
 * without one: every general template, each store's.
 */
export async function listActivityTemplates(ctx: AppContext, options: { regarding?: RecordRef | null } = {}): Promise<ActivityTemplate[]> {
  const all = await listTemplates(ctx, { kind: 'general' });
  let kept = all;
  if (options.regarding) {
    const { organizationId } = await regardingFacts(ctx, options.regarding);
    const own = all.filter((t) => organizationId !== null && t.organizationId === organizationId);
    const taken = new Set(own.map((t) => t.emailId.toLowerCase()));
    kept = [...own, ...all.filter((t) => t.organizationId === null && !taken.has(t.emailId.toLowerCase()))];
  }
  const orgIds = [...new Set(kept.map((t) => t.organizationId).filter((id): id is string => id !== null))];
  const orgs = orgIds.length ? await ctx.db.selectFrom('organization').select(['id', 'code', 'name']).where('id', 'in', orgIds).execute() : [];
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  return kept.map((t) => ({
    id: t.id, emailId: t.emailId, description: t.description, kind: 'general', scope: t.scope,
    organization: t.organizationId ? orgById.get(t.organizationId) ?? null : null,
    defaultLanguage: t.defaultLanguage, languages: t.messages.map((m) => m.language),
  }));
}

export interface RenderedActivityTemplate extends RenderedMail {
  readonly templateId: string;
  readonly emailId: string;
}

/** The template (id or Email ID) filled for the record it regards and the first recipient. */
export async function renderActivityTemplate(ctx: AppContext, ref: string, input: { regarding?: RecordRef | null; to?: string | readonly string[] }): Promise<RenderedActivityTemplate> {
  const facts = await regardingFacts(ctx, input.regarding);
  const template = await templateFor(ctx, ref, facts.organizationId);
  const organization = facts.organizationId
    ? await ctx.db.selectFrom('organization').select('name').where('id', '=', facts.organizationId).executeTakeFirst()
    : undefined;
  const [first] = parseMailboxes('To', input.to as string[] | string | undefined);
  const rendered = renderTemplate(template, facts.language, {
    values: {
      company: organization?.name ?? '',
      for: input.regarding?.type === 'contact' && facts.name ? facts.name : first?.name || first?.address || '',
      date: new Date(ctx.clock.now()).toISOString().slice(0, 10),
    },
  });
  return { templateId: template.id, emailId: template.emailId, ...rendered };
}

export async function applyTemplate(ctx: AppContext, ref: string, input: TemplatedInput): Promise<TemplatedInput> {
  const rendered = await renderActivityTemplate(ctx, ref, input);
  return {
    ...input,
    subject: input.subject?.trim() ? input.subject : rendered.subject,
    html: input.html?.trim() ? input.html : rendered.html,
    text: input.text?.trim() || input.html?.trim() ? input.text : null,
  };
}
