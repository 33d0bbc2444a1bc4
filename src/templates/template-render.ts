// Choosing a template's message for a recipient and filling it. Pure functions on a template
// already loaded; the services decide which template and which data.
import { MailroomError } from '../errors.ts';
import { formatMailbox, isValidAddress } from '../mime/addresses.ts';
import type { EmailInput } from '../outbound/hand-in.ts';
import type { TemplateKind } from './template-kinds.ts';
import { findUnknown, parseTemplate, render, type TemplateData, type Vocabulary } from './template-syntax.ts';

export const PRIORITIES = ['low', 'normal', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface TemplateMessage {
  readonly language: string;
  readonly subject: string;
  readonly html: string;
}

export interface EmailTemplate {
  readonly id: string;
  readonly scope: 'system' | 'organization';
  readonly organizationId: string | null;
  readonly emailId: string;
  readonly kind: TemplateKind;
  readonly description: string;
  readonly senderName: string;
  readonly senderEmail: string;
  readonly defaultLanguage: string;
  readonly priority: Priority;
  readonly messages: readonly TemplateMessage[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RenderedMail {
  /** The language whose message was used. */
  readonly language: string;
  readonly subject: string;
  readonly html: string;
}

export const normalizeLanguage = (language: string) => language.trim().toLowerCase();

/**
 * The message in the recipient's language when the template has one, else the message in the
 * template's default language.
 */
export function chooseMessage(template: EmailTemplate, language: string | null | undefined): TemplateMessage {
  const wanted = language ? normalizeLanguage(language) : template.defaultLanguage;
  const found = template.messages.find((m) => m.language === wanted)
    ?? template.messages.find((m) => m.language === template.defaultLanguage);
  if (!found) throw new MailroomError('TEMPLATE_LANGUAGE_MISSING', { details: { template: template.emailId, language: template.defaultLanguage } });
  return found;
}

export function renderTemplate(template: EmailTemplate, language: string | null | undefined, data: TemplateData): RenderedMail {
  const message = chooseMessage(template, language);
  const subject = render(parseTemplate(message.subject, { field: 'subject', blocks: false }), data, 'text').trim();
  const html = render(parseTemplate(message.html, { field: 'html', blocks: true }), data, 'html');
  return { language: message.language, subject, html };
}

/** The From of system mail sent with this template; refuses a template without a valid sender. */
export function templateSender(template: Pick<EmailTemplate, 'emailId' | 'senderEmail' | 'senderName'>): string {
  const address = template.senderEmail.trim();
  if (!address || !isValidAddress(address)) {
    throw new MailroomError('TEMPLATE_SENDER_INVALID', { message: `Template ${template.emailId} has ${address ? `an invalid sender email "${address}"` : 'no sender email'}.`, details: { template: template.emailId } });
  }
  return formatMailbox({ name: template.senderName, address });
}

/** A rendered template as an email for the outbound queue. */
export function toEmailInput(template: EmailTemplate, mail: RenderedMail, to: string, from?: string): EmailInput {
  return { from: from ?? templateSender(template), to, subject: mail.subject, html: mail.html, priority: template.priority };
}

/** Throws TEMPLATE_PLACEHOLDER_UNKNOWN or TEMPLATE_BLOCK_INVALID for a text that cannot be filled. */
export function checkText(field: string, source: string, vocabulary: Vocabulary, blocks: boolean, where: Record<string, unknown> = {}): void {
  const unknown = findUnknown(parseTemplate(source, { field, blocks }), vocabulary);
  if (unknown.blocks.length) {
    throw new MailroomError('TEMPLATE_BLOCK_INVALID', {
      message: `${field}: this kind of template has no repeating block ${unknown.blocks.join(', ')}.`,
      details: { ...where, field, blocks: unknown.blocks, offered: Object.keys(vocabulary.tables) },
    });
  }
  if (unknown.placeholders.length) {
    throw new MailroomError('TEMPLATE_PLACEHOLDER_UNKNOWN', {
      message: `${field}: unknown placeholder${unknown.placeholders.length > 1 ? 's' : ''} ${unknown.placeholders.map((n) => `%${n}%`).join(', ')}.`,
      details: { ...where, field, placeholders: unknown.placeholders, offered: vocabulary.values },
    });
  }
}
