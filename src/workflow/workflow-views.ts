// Running workflows and work items as the API, CLI and console show them.
import type { WorkflowDefinition } from './workflow-definition.ts';
import type { WorkItemAction } from './workflow-engine.ts';
import type { InstanceRow, WorkItemRow } from './workflow.repository.ts';

export interface WorkItemView {
  readonly id: string;
  readonly instanceId: string;
  readonly kind: WorkItemRow['kind'];
  readonly step: number;
  readonly stepName: string;
  readonly ownerId: string;
  readonly status: string;
  readonly subject: string;
  readonly instructions: string;
  readonly dueAt: number | null;
  readonly createdAt: number;
  readonly completedAt: number | null;
  readonly completedBy: string | null;
  readonly comment: string | null;
  readonly workflow: string;
  readonly document: { readonly title: string; readonly ref: string; readonly type: string };
  /** What the owner can do now. */
  readonly actions: readonly WorkItemAction[];
}

export interface InstanceView {
  readonly id: string;
  readonly definitionId: string;
  readonly definitionVersion: number;
  readonly workflow: { readonly code: string; readonly name: string; readonly scope: 'system' | 'organization'; readonly templateEmailId: string };
  readonly organizationId: string | null;
  readonly documentType: string;
  readonly documentRef: string;
  readonly title: string;
  readonly originatorId: string;
  readonly status: string;
  readonly currentStep: number;
  readonly currentStepName: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly workItems: readonly WorkItemView[];
}

const snapshot = (instance: InstanceRow) => JSON.parse(instance.definition_snapshot) as WorkflowDefinition;

export function toWorkItemView(item: WorkItemRow, instance: InstanceRow, def = snapshot(instance)): WorkItemView {
  const actions: readonly WorkItemAction[] = item.status !== 'pending' ? [] : item.kind === 'approval' ? ['approve', 'reject', 'request-change', 'delegate'] : ['resubmit'];
  return {
    id: item.id, instanceId: item.instance_id, kind: item.kind, step: item.step, stepName: def.steps[item.step]?.name ?? '',
    ownerId: item.owner_id, status: item.status, subject: item.subject, instructions: item.instructions, dueAt: item.due_at,
    createdAt: item.created_at, completedAt: item.completed_at, completedBy: item.completed_by, comment: item.comment,
    workflow: def.name, document: { title: instance.document_title, ref: instance.document_ref, type: instance.document_type }, actions,
  };
}

export function toInstanceView(instance: InstanceRow, items: readonly WorkItemRow[]): InstanceView {
  const def = snapshot(instance);
  return {
    id: instance.id, definitionId: instance.definition_id, definitionVersion: instance.definition_version,
    workflow: { code: def.code, name: def.name, scope: def.scope, templateEmailId: def.templateEmailId },
    organizationId: instance.organization_id, documentType: instance.document_type, documentRef: instance.document_ref,
    title: instance.document_title, originatorId: instance.originator_id, status: instance.status, currentStep: instance.current_step,
    currentStepName: def.steps[instance.current_step]?.name ?? '', createdAt: instance.created_at, updatedAt: instance.updated_at,
    workItems: items.map((i) => toWorkItemView(i, instance, def)),
  };
}
