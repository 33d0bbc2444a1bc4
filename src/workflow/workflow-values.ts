// Who a step assigns to, who an event notifies, and the placeholder values of workflow texts.
import type { Role } from '../store/tables.ts';
import { parseTemplate, render } from '../templates/template-syntax.ts';
import type { Assignee, Recipient, WorkflowDefinition } from './workflow-definition.ts';
import { EVENT_LABELS, type HistoryEvent } from './workflow-definition.ts';
import type { InstanceRow, WorkItemRow } from './workflow.repository.ts';

/** The users a workflow may assign to or notify, loaded once per action. */
export interface DirectoryUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
  readonly language: string;
}

/** The users a step assigns its work items to, in a stable order; empty when nobody qualifies. */
export function resolveAssignees(assignee: Assignee, originatorId: string, directory: readonly DirectoryUser[]): string[] {
  const known = new Set(directory.map((u) => u.id));
  if (assignee.type === 'originator') return known.has(originatorId) ? [originatorId] : [];
  if (assignee.type === 'user') return assignee.users.filter((id) => known.has(id));
  return directory.filter((u) => u.role === assignee.role).map((u) => u.id);
}

/** The users an event notifies: each recipient setting resolved, duplicates removed. */
export function resolveRecipients(
  recipients: readonly Recipient[], people: { originatorId: string; ownerId: string | null }, directory: readonly DirectoryUser[],
): string[] {
  const known = new Set(directory.map((u) => u.id));
  const out = new Set<string>();
  for (const r of recipients) {
    if (r.type === 'originator') out.add(people.originatorId);
    else if (r.type === 'workitem-owner') { if (people.ownerId) out.add(people.ownerId); }
    else if (r.type === 'user') r.users.forEach((id) => out.add(id));
    else directory.filter((u) => u.role === r.role).forEach((u) => out.add(u.id));
  }
  return [...out].filter((id) => known.has(id));
}

export const formatTime = (ms: number | null | undefined) => (ms ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '');

export interface ValueSources {
  readonly instance: Pick<InstanceRow, 'document_title' | 'document_ref' | 'document_type' | 'originator_id'>;
  readonly def: Pick<WorkflowDefinition, 'name' | 'steps'>;
  readonly company: string;
  readonly names: ReadonlyMap<string, string>;
  readonly step: number | null;
  readonly event?: HistoryEvent;
  readonly at?: number;
  readonly ownerId?: string | null;
  readonly actorId?: string | null;
  readonly comment?: string | null;
  readonly workItem?: Pick<WorkItemRow, 'subject' | 'instructions' | 'due_at'>;
}

/** Every workflow placeholder except %subject%, %message% and %for%, which depend on the mail. */
export function workflowValues(s: ValueSources): Record<string, string> {
  const name = (id: string | null | undefined) => (id ? s.names.get(id) ?? '' : '');
  return {
    event: s.event ? EVENT_LABELS[s.event] : '',
    occurred: formatTime(s.at),
    company: s.company,
    document: s.instance.document_title,
    'document.type': s.instance.document_type,
    'document.ref': s.instance.document_ref,
    originator: name(s.instance.originator_id),
    'workitem.owner': name(s.ownerId),
    'workitem.subject': s.workItem?.subject ?? '',
    'workitem.instructions': s.workItem?.instructions ?? '',
    'workitem.due': formatTime(s.workItem?.due_at),
    workflow: s.def.name,
    step: s.step === null ? '' : s.def.steps[s.step]?.name ?? '',
    actor: name(s.actorId),
    comment: s.comment ?? '',
  };
}

/** Fills a plain-text workflow text (notification text, work item subject or instructions). */
export const fillText = (text: string, values: Record<string, string>) =>
  render(parseTemplate(text, { field: 'text', blocks: false }), { values }, 'text');
