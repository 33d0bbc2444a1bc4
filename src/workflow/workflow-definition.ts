// The shape of a workflow definition: basic settings, workflow-level notifications, and the
// approval steps with their assignment, completion policy and per-event notifications.
import { Type, type Static } from '@sinclair/typebox';
import { ROLES } from '../store/tables.ts';
import { WORKFLOW_PLACEHOLDERS } from '../templates/template-kinds.ts';
import type { Vocabulary } from '../templates/template-syntax.ts';

export const WORKFLOW_EVENTS = ['started', 'completed', 'stopped', 'terminated'] as const;
export type WorkflowEvent = (typeof WORKFLOW_EVENTS)[number];
export const STEP_EVENTS = ['workitem-created', 'approve', 'reject', 'request-change', 'delegate', 'escalate'] as const;
export type StepEvent = (typeof STEP_EVENTS)[number];
/** What the history records besides the notifiable events. */
export const HISTORY_ONLY_EVENTS = ['resubmit', 'cancelled'] as const;
export type HistoryEvent = WorkflowEvent | StepEvent | (typeof HISTORY_ONLY_EVENTS)[number];

export const EVENT_LABELS: Record<HistoryEvent, string> = {
  started: 'Workflow started', completed: 'Workflow completed', stopped: 'Workflow stopped (error)', terminated: 'Workflow terminated',
  'workitem-created': 'Work item created', approve: 'Approved', reject: 'Rejected', 'request-change': 'Change requested',
  delegate: 'Delegated', escalate: 'Escalated', resubmit: 'Resubmitted', cancelled: 'Work item cancelled',
};

export const COMPLETION_POLICIES = ['single', 'all'] as const;
export type CompletionPolicy = (typeof COMPLETION_POLICIES)[number];

const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));
const strict = { additionalProperties: false } as const;
const UserList = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100, description: 'user ids or user names' });

export const AssigneeSchema = Type.Union([
  Type.Object({ type: Type.Literal('originator') }, strict),
  Type.Object({ type: Type.Literal('user'), users: UserList }, strict),
  Type.Object({ type: Type.Literal('role'), role: literals(ROLES) }, strict),
]);
export type Assignee = Static<typeof AssigneeSchema>;

export const RecipientSchema = Type.Union([
  Type.Object({ type: Type.Literal('originator') }, strict),
  Type.Object({ type: Type.Literal('workitem-owner') }, strict),
  Type.Object({ type: Type.Literal('user'), users: UserList }, strict),
  Type.Object({ type: Type.Literal('role'), role: literals(ROLES) }, strict),
]);
export type Recipient = Static<typeof RecipientSchema>;

export const EventNotificationSchema = Type.Object({
  enabled: Type.Optional(Type.Boolean({ default: true })),
  text: Type.String({ maxLength: 4_000, description: 'Notification text; placeholders as in workflow templates, except %subject% and %message%' }),
  translations: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$' }), Type.String({ maxLength: 4_000 }))),
  recipients: Type.Array(RecipientSchema, { maxItems: 20 }),
}, strict);
export type EventNotification = Static<typeof EventNotificationSchema>;

const optional = Type.Optional(EventNotificationSchema);
const WorkflowNotificationsSchema = Type.Object({ started: optional, completed: optional, stopped: optional, terminated: optional }, strict);
const StepNotificationsSchema = Type.Object({
  'workitem-created': optional, approve: optional, reject: optional, 'request-change': optional, delegate: optional, escalate: optional,
}, strict);

export const StepSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  assignTo: AssigneeSchema,
  completionPolicy: Type.Optional(literals(COMPLETION_POLICIES)),
  workItemSubject: Type.Optional(Type.String({ maxLength: 500 })),
  instructions: Type.Optional(Type.String({ maxLength: 4_000 })),
  timeLimitHours: Type.Optional(Type.Number({ minimum: 0.01, maximum: 24 * 365 })),
  escalateTo: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'user id or name that gets overdue work items' })),
  notifications: Type.Optional(StepNotificationsSchema),
}, strict);
export type Step = Static<typeof StepSchema>;

export const DefinitionInputSchema = Type.Object({
  code: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  documentType: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,59}$', description: 'the kind of document the workflow handles, e.g. purchase-requisition' }),
  organization: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()], { description: 'organization id or code; absent or null for a system-level workflow' })),
  templateEmailId: Type.String({ minLength: 1, maxLength: 40, description: 'Email template for workflow notifications (its Email ID)' }),
  enabled: Type.Optional(Type.Boolean()),
  notifications: Type.Optional(WorkflowNotificationsSchema),
  steps: Type.Array(StepSchema, { minItems: 1, maxItems: 20 }),
}, strict);
export type DefinitionInput = Static<typeof DefinitionInputSchema>;

/** A stored definition: user names already resolved to user ids. */
export interface WorkflowDefinition {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly documentType: string;
  readonly scope: 'system' | 'organization';
  readonly organizationId: string | null;
  readonly templateEmailId: string;
  readonly enabled: boolean;
  readonly version: number;
  readonly notifications: Partial<Record<WorkflowEvent, EventNotification>>;
  readonly steps: readonly Step[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Placeholders of notification texts, work item subjects and instructions. */
export const TEXT_VOCABULARY: Vocabulary = {
  values: WORKFLOW_PLACEHOLDERS.map((p) => p.name).filter((n) => n !== 'subject' && n !== 'message'),
  tables: {},
};

/** The settings of one event: a workflow-level event, or a step event of the step given. */
export function notificationFor(def: Pick<WorkflowDefinition, 'notifications' | 'steps'>, event: string, step: number | null): EventNotification | undefined {
  if ((WORKFLOW_EVENTS as readonly string[]).includes(event)) return def.notifications[event as WorkflowEvent];
  if (step === null || !(STEP_EVENTS as readonly string[]).includes(event)) return undefined;
  return def.steps[step]?.notifications?.[event as StepEvent];
}

export function isNotified(def: Pick<WorkflowDefinition, 'notifications' | 'steps'>, event: string, step: number | null): boolean {
  const n = notificationFor(def, event, step);
  return Boolean(n && n.enabled !== false && n.recipients.length > 0);
}
