// Writing an email activity from a general email template of the outbound half: the template's
// subject and HTML in the recipient's language (a regarding contact's, else the template's
// default), with its placeholders filled from the record it regards (%company%: the account's
// organization, %for%: who it goes to, %date%: today). What the writer typed wins over the template.
import type { AppContext } from '../../app-context.ts';
import type { ActivityInput } from '../../crm/email-activity.service.ts';
import { recordNames, type RecordRef } from '../../crm/record-types.ts';
import { MailroomError } from '../../errors.ts';
import { parseMailboxes } from '../../mime/addresses.ts';
import { renderTemplate } from '../../templates/template-render.ts';
import { findTemplate, getTemplate } from '../../templates/templates.service.ts';
import type { EmailTemplate } from '../../templates/template-render.ts';

export type TemplatedInput = Omit<ActivityInput, 'direction' | 'owner'>;

async function regardingFacts(ctx: AppContext, regarding: RecordRef | null | undefined): Promise<{ organizationId: string | null; language: string | null; name: string | null }> {
  if (!regarding) return { organizationId: null, language: null, name: null };
  const name = (await recordNames(ctx, [regarding])).get(`${regarding.type}:${regarding.id}`) ?? null;
  let accountId: string | null = regarding.type === 'account' ? regarding.id : null;
  let language: string | null = null;
  if (regarding.type === 'contact') {
    const contact = await ctx.db.selectFrom('contact').select(['account_id', 'language']).where('id', '=', regarding.id).executeTakeFirst();
    accountId = contact?.account_id ?? null;
    language = contact?.language ?? null;
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

export async function applyTemplate(ctx: AppContext, ref: string, input: TemplatedInput): Promise<TemplatedInput> {
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
  return {
    ...input,
    subject: input.subject?.trim() ? input.subject : rendered.subject,
    html: input.html?.trim() ? input.html : rendered.html,
    text: input.text?.trim() || input.html?.trim() ? input.text : null,
  };
}
