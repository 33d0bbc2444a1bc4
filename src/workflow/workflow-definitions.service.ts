// Workflow definitions: system-level or organization-level, with their email template,
// notification settings and approval steps.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { Value } from '@sinclair/typebox/value';
import type { AppContext } from '../app-context.ts';
import { getOrganization } from '../crm/organizations.service.ts';
import { MailroomError } from '../errors.ts';
import type { WorkflowDefinitionTable } from '../store/tables.ts';
import { checkText, templateSender, type EmailTemplate } from '../templates/template-render.ts';
import { findTemplate } from '../templates/templates.service.ts';
import { findUser } from '../users/users.service.ts';
import {
  DefinitionInputSchema, TEXT_VOCABULARY, type DefinitionInput, type EventNotification, type Step, type WorkflowDefinition,
} from './workflow-definition.ts';

type Row = Selectable<WorkflowDefinitionTable>;
const SYSTEM = 'system';

export function toDefinition(row: Row): WorkflowDefinition {
  const settings = JSON.parse(row.settings) as Pick<WorkflowDefinition, 'notifications' | 'steps'>;
  return {
    id: row.id, code: row.code, name: row.name, documentType: row.document_type,
    scope: row.organization_id ? 'organization' : 'system', organizationId: row.organization_id,
    templateEmailId: row.template_email_id, enabled: row.enabled === 1, version: row.version,
    notifications: settings.notifications, steps: settings.steps, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

/**
 * The notification template of a workflow: from the system templates for a system-level
 * workflow, from its organization's templates for an organization-level one.
 */
export async function workflowTemplate(ctx: AppContext, def: Pick<WorkflowDefinition, 'organizationId' | 'templateEmailId'>): Promise<EmailTemplate> {
  const template = await findTemplate(ctx, def.organizationId, def.templateEmailId);
  const store = def.organizationId ? 'the organization email templates' : 'the system email templates';
  if (!template) throw new MailroomError('WORKFLOW_TEMPLATE_MISSING', { message: `There is no template ${def.templateEmailId} in ${store}.`, details: { templateEmailId: def.templateEmailId, organizationId: def.organizationId } });
  if (template.kind !== 'workflow') throw new MailroomError('WORKFLOW_TEMPLATE_MISSING', { message: `Template ${def.templateEmailId} in ${store} is a ${template.kind} template, not a workflow notification template.`, details: { templateEmailId: def.templateEmailId } });
  templateSender(template);
  return template;
}

async function userIds(ctx: AppContext, refs: readonly string[]): Promise<string[]> {
  return [...new Set(await Promise.all(refs.map(async (r) => (await findUser(ctx, r)).id)))];
}

async function normalizeNotification(ctx: AppContext, where: string, n: EventNotification): Promise<EventNotification> {
  checkText(`${where}.text`, n.text, TEXT_VOCABULARY, false);
  for (const [language, text] of Object.entries(n.translations ?? {})) checkText(`${where}.translations.${language}`, text, TEXT_VOCABULARY, false);
  const translations = Object.fromEntries(Object.entries(n.translations ?? {}).map(([l, t]) => [l.toLowerCase(), t]));
  const recipients = await Promise.all(n.recipients.map(async (r) => (r.type === 'user' ? { ...r, users: await userIds(ctx, r.users) } : r)));
  return { enabled: n.enabled ?? true, text: n.text, translations, recipients };
}

async function normalizeMap<K extends string>(ctx: AppContext, where: string, map: Partial<Record<K, EventNotification>> | undefined) {
  const out: Partial<Record<K, EventNotification>> = {};
  for (const [event, n] of Object.entries(map ?? {}) as [K, EventNotification | undefined][]) {
    if (n) out[event] = await normalizeNotification(ctx, `${where}.${event}`, n);
  }
  return out;
}

async function normalizeStep(ctx: AppContext, step: Step, i: number): Promise<Step> {
  const where = `steps[${i}]`;
  checkText(`${where}.workItemSubject`, step.workItemSubject ?? '', TEXT_VOCABULARY, false);
  checkText(`${where}.instructions`, step.instructions ?? '', TEXT_VOCABULARY, false);
  const assignTo = step.assignTo.type === 'user' ? { ...step.assignTo, users: await userIds(ctx, step.assignTo.users) } : step.assignTo;
  return {
    ...step, assignTo, completionPolicy: step.completionPolicy ?? 'single',
    escalateTo: step.escalateTo ? (await findUser(ctx, step.escalateTo)).id : undefined,
    notifications: await normalizeMap(ctx, `${where}.notifications`, step.notifications),
  };
}

async function prepare(ctx: AppContext, input: DefinitionInput) {
  if (!Value.Check(DefinitionInputSchema, input)) {
    const errors = [...Value.Errors(DefinitionInputSchema, input)].slice(0, 10).map((e) => ({ path: e.path, message: e.message }));
    throw new MailroomError('VALIDATION_FAILED', { message: `The workflow is not valid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`, details: errors });
  }
  const organizationId = input.organization ? (await getOrganization(ctx, input.organization)).id : null;
  await workflowTemplate(ctx, { organizationId, templateEmailId: input.templateEmailId });
  const steps = await Promise.all(input.steps.map((s, i) => normalizeStep(ctx, s, i)));
  const notifications = await normalizeMap(ctx, 'notifications', input.notifications);
  return { organizationId, settings: JSON.stringify({ notifications, steps }) };
}

export async function createDefinition(ctx: AppContext, input: DefinitionInput): Promise<WorkflowDefinition> {
  const { organizationId, settings } = await prepare(ctx, input);
  const scopeKey = organizationId ?? SYSTEM;
  if (await ctx.db.selectFrom('workflow_definition').select('id').where('scope_key', '=', scopeKey).where('code', '=', input.code).executeTakeFirst()) {
    throw new MailroomError('CONFLICT', { message: `There is already a workflow ${input.code} here.` });
  }
  const now = ctx.clock.now();
  const row: Row = {
    id: randomUUID(), scope_key: scopeKey, organization_id: organizationId, code: input.code, name: input.name,
    document_type: input.documentType, template_email_id: input.templateEmailId, enabled: input.enabled === false ? 0 : 1,
    version: 1, settings, created_at: now, updated_at: now,
  };
  await ctx.db.insertInto('workflow_definition').values(row).execute();
  return toDefinition(row);
}

/** A new version: running workflows keep the version they started with. */
export async function updateDefinition(ctx: AppContext, id: string, input: DefinitionInput): Promise<WorkflowDefinition> {
  const current = await getDefinition(ctx, id);
  const { organizationId, settings } = await prepare(ctx, input);
  if (organizationId !== current.organizationId) throw new MailroomError('VALIDATION_FAILED', { message: 'A workflow stays at the level it was created at (system or its organization).', details: { field: 'organization' } });
  const clash = await ctx.db.selectFrom('workflow_definition').select('id').where('scope_key', '=', organizationId ?? SYSTEM).where('code', '=', input.code).executeTakeFirst();
  if (clash && clash.id !== id) throw new MailroomError('CONFLICT', { message: `There is already a workflow ${input.code} here.` });
  const changes = {
    code: input.code, name: input.name, document_type: input.documentType, template_email_id: input.templateEmailId,
    enabled: input.enabled === false ? 0 : 1, version: current.version + 1, settings, updated_at: ctx.clock.now(),
  };
  await ctx.db.updateTable('workflow_definition').set(changes).where('id', '=', id).execute();
  return getDefinition(ctx, id);
}

export async function getDefinition(ctx: AppContext, id: string): Promise<WorkflowDefinition> {
  const row = await ctx.db.selectFrom('workflow_definition').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new MailroomError('NOT_FOUND', { message: 'No such workflow.' });
  return toDefinition(row);
}

export async function listDefinitions(ctx: AppContext): Promise<WorkflowDefinition[]> {
  return (await ctx.db.selectFrom('workflow_definition').selectAll().orderBy('scope_key').orderBy('code').execute()).map(toDefinition);
}

/** Removes a workflow that never ran; one with history can only be disabled. */
export async function deleteDefinition(ctx: AppContext, id: string): Promise<void> {
  await getDefinition(ctx, id);
  if (await ctx.db.selectFrom('workflow_instance').select('id').where('definition_id', '=', id).limit(1).executeTakeFirst()) {
    throw new MailroomError('CONFLICT', { message: 'This workflow has run; disable it instead of deleting it, so its history stays.' });
  }
  await ctx.db.deleteFrom('workflow_definition').where('id', '=', id).execute();
}

/** The workflow for a document: its organization's own workflow first, else the system-level one. */
export async function resolveDefinition(ctx: AppContext, documentType: string, organizationId: string | null): Promise<WorkflowDefinition> {
  const rows = await ctx.db.selectFrom('workflow_definition').selectAll()
    .where('document_type', '=', documentType).where('enabled', '=', 1).orderBy('created_at').execute();
  const own = organizationId ? rows.find((r) => r.organization_id === organizationId) : undefined;
  const row = own ?? rows.find((r) => r.organization_id === null);
  if (!row) throw new MailroomError('WORKFLOW_NO_DEFINITION', { details: { documentType, organizationId } });
  return toDefinition(row);
}
