// What the template, workflow and organization/customer routes answer (see response-schemas.ts
// for how these named schemas are used).
import { Type, type Static } from '@sinclair/typebox';
import { PRIORITIES } from '../templates/template-render.ts';
import { TEMPLATE_KINDS } from '../templates/template-kinds.ts';
import { EventNotificationSchema, STEP_EVENTS, StepSchema, WORKFLOW_EVENTS, type WorkflowEvent } from '../workflow/workflow-definition.ts';
import { WORK_ITEM_ACTIONS } from '../workflow/workflow-engine.ts';
import { Draft, EmailStatus, EmailView, list, literals, nullable, ref } from './response-schemas.ts';

const strict = { additionalProperties: false } as const;
const Epoch = () => Type.Number({ description: 'epoch milliseconds' });
const Scope = literals(['system', 'organization'] as const);

// ── templates ───────────────────────────────────────────────────────────────────────────────

export const TemplateMessage = Type.Object({ language: Type.String(), subject: Type.String(), html: Type.String() }, { ...strict, $id: 'TemplateMessage' });
export const EmailTemplate = Type.Object({
  id: Type.String(), scope: Scope, organizationId: nullable(Type.String()),
  emailId: Type.String({ description: 'the Email ID processes name the template by' }),
  kind: literals(TEMPLATE_KINDS), description: Type.String(), senderName: Type.String(), senderEmail: Type.String(),
  defaultLanguage: Type.String(), priority: literals(PRIORITIES), messages: list(ref(TemplateMessage)),
  createdAt: Epoch(), updatedAt: Epoch(),
}, { ...strict, $id: 'EmailTemplate' });
const Placeholder = Type.Object({ name: Type.String(), description: Type.String(), sample: Type.String() }, strict);
export const TemplateKindSpec = Type.Object({
  kind: literals(TEMPLATE_KINDS), description: Type.String(), placeholders: list(Placeholder),
  tables: Type.Record(Type.String(), Type.Object({ description: Type.String(), columns: list(Placeholder), sampleRows: Type.Integer() }, strict), { description: 'repeating blocks, by name' }),
}, { ...strict, $id: 'TemplateKindSpec' });
export const TemplatePreview = Type.Object({
  language: Type.String({ description: 'the language whose message was used' }), subject: Type.String(), html: Type.String(), from: nullable(Type.String()),
}, { ...strict, $id: 'TemplatePreview' });
export const TestSendResult = Type.Object({ email: ref(EmailView) }, { ...strict, $id: 'TestSendResult' });

// ── workflow ────────────────────────────────────────────────────────────────────────────────

const Notifications = Type.Unsafe<Partial<Record<WorkflowEvent, Static<typeof EventNotificationSchema>>>>(
  Type.Object(Object.fromEntries(WORKFLOW_EVENTS.map((e) => [e, Type.Optional(EventNotificationSchema)])), strict));
export const WorkflowDefinition = Type.Object({
  id: Type.String(), code: Type.String(), name: Type.String(), documentType: Type.String(), scope: Scope,
  organizationId: nullable(Type.String()), templateEmailId: Type.String(), enabled: Type.Boolean(), version: Type.Integer(),
  notifications: Notifications, steps: list(StepSchema), createdAt: Epoch(), updatedAt: Epoch(),
}, { ...strict, $id: 'WorkflowDefinition' });

export const WorkflowEvents = Type.Object({
  workflowEvents: list(literals(WORKFLOW_EVENTS)), stepEvents: list(literals(STEP_EVENTS)),
  labels: Type.Record(Type.String(), Type.String()), placeholders: list(Type.String()),
}, { ...strict, $id: 'WorkflowEvents' });

export const WorkItem = Type.Object({
  id: Type.String(), instanceId: Type.String(), kind: literals(['approval', 'change-request'] as const),
  step: Type.Integer(), stepName: Type.String(), ownerId: Type.String(), status: Type.String(), subject: Type.String(),
  instructions: Type.String(), dueAt: nullable(Epoch()), createdAt: Epoch(), completedAt: nullable(Epoch()),
  completedBy: nullable(Type.String()), comment: nullable(Type.String()), workflow: Type.String(),
  document: Type.Object({ title: Type.String(), ref: Type.String(), type: Type.String() }, strict),
  actions: list(literals(WORK_ITEM_ACTIONS), { description: 'what the owner can do now' }),
}, { ...strict, $id: 'WorkItem' });

export const WorkflowInstance = Type.Object({
  id: Type.String(), definitionId: Type.String(), definitionVersion: Type.Integer(),
  workflow: Type.Object({ code: Type.String(), name: Type.String(), scope: Scope, templateEmailId: Type.String() }, strict),
  organizationId: nullable(Type.String()), documentType: Type.String(), documentRef: Type.String(), title: Type.String(),
  originatorId: Type.String(), status: Type.String(), currentStep: Type.Integer(), currentStepName: Type.String(),
  createdAt: Epoch(), updatedAt: Epoch(), workItems: list(ref(WorkItem)),
}, { ...strict, $id: 'WorkflowInstance' });

const Person = nullable(Type.Object({ id: Type.String(), name: Type.String() }, strict));
export const WorkflowHistoryEntry = Type.Object({
  seq: Type.Integer(), at: Epoch(), event: Type.String(), label: Type.String(), step: nullable(Type.Integer()),
  stepName: nullable(Type.String()), workItemId: nullable(Type.String()), actor: Person, assignee: Person,
  comment: nullable(Type.String()), details: nullable(Type.Record(Type.String(), Type.Unknown())),
  notifyState: literals(['pending', 'done', 'none'] as const),
  notifications: list(Type.Object({
    userId: Type.String(), userName: Type.String(), status: literals(['queued', 'skipped', 'failed'] as const),
    reason: nullable(Type.String({ description: 'why it was skipped or failed: option-off, or an error code' })),
    emailId: nullable(Type.String()),
    emailStatus: nullable(ref(EmailStatus), { description: 'the email\'s status now; null when there is none or it left the history' }),
    emailVisible: Type.Boolean({ description: 'whether the reader may open the email (GET /api/emails/{id})' }),
    language: nullable(Type.String()),
  }, strict)),
}, { ...strict, $id: 'WorkflowHistoryEntry' });
export const WorkflowHistory = Type.Object({ instance: ref(WorkflowInstance), events: list(ref(WorkflowHistoryEntry)) }, { ...strict, $id: 'WorkflowHistory' });
export const EscalationResult = Type.Object({ escalated: Type.Integer() }, { ...strict, $id: 'EscalationResult' });
export const DispatchResult = Type.Object({
  events: Type.Integer(), queued: Type.Integer(), skipped: Type.Integer(), failed: Type.Integer(),
}, { ...strict, $id: 'DispatchResult' });
export const WorkflowOptions = Type.Object({ sendNotificationsInEmail: Type.Boolean() }, { ...strict, $id: 'WorkflowOptions' });
export const WorkflowParameters = Type.Object({
  disallowApprovalBySubmitter: Type.Boolean({ description: 'the submitter of a document may not approve it (on by default)' }),
}, { ...strict, $id: 'WorkflowParameters' });

// ── organizations and customers ─────────────────────────────────────────────────────────────

export const Organization = Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), createdAt: Epoch() }, { ...strict, $id: 'Organization' });
export const Customer = Type.Object({
  id: Type.String(), account: Type.String(), name: Type.String(), organizationId: nullable(Type.String()), currency: Type.String(), createdAt: Epoch(),
}, { ...strict, $id: 'Customer' });
export const CustomerContact = Type.Object({
  id: Type.String(), name: Type.String(), email: Type.String(), purpose: Type.String(), language: nullable(Type.String()),
}, { ...strict, $id: 'CustomerContact' });
export const Invoice = Type.Object({
  id: Type.String(), number: Type.String(), invoiceDate: Type.String({ description: 'YYYY-MM-DD' }), dueDate: Type.String({ description: 'YYYY-MM-DD' }),
  amountMinor: Type.Integer({ description: 'in minor units (cents)' }), openMinor: Type.Integer(),
}, { ...strict, $id: 'Invoice' });
export const CustomerDetail = Type.Object({
  ...Customer.properties, contacts: list(ref(CustomerContact)), openInvoices: list(ref(Invoice)),
}, { ...strict, $id: 'CustomerDetail' });
export const StatementDraft = Type.Object({
  draft: ref(Draft),
  attachments: list(Type.Object({ filename: Type.String(), contentType: Type.Optional(Type.String()), contentBase64: Type.String() }, strict), { description: 'sent back unchanged by the dialog' }),
}, { ...strict, $id: 'StatementDraft' });

export const RESPONSE_SCHEMAS_RECORDS = [
  TemplateMessage, EmailTemplate, TemplateKindSpec, TemplatePreview, TestSendResult,
  WorkflowDefinition, WorkflowEvents, WorkItem, WorkflowInstance, WorkflowHistoryEntry, WorkflowHistory,
  EscalationResult, DispatchResult, WorkflowOptions, WorkflowParameters, Organization, Customer, CustomerContact, Invoice, CustomerDetail, StatementDraft,
] as const;
