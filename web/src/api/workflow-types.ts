// The JSON of the template, workflow and customer routes (src/api/routes/templates.routes.ts,
// workflow.routes.ts, crm.routes.ts), as the console reads it.
import type { Draft, EmailView, Role } from './types.ts';

export type TemplateKind = 'workflow' | 'statement' | 'general';
export type Priority = 'low' | 'normal' | 'high';

export interface TemplateMessage { language: string; subject: string; html: string }

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
  readonly messages: TemplateMessage[];
}

export interface PlaceholderSpec { readonly name: string; readonly description: string; readonly sample: string }
export interface KindSpec {
  readonly kind: TemplateKind;
  readonly description: string;
  readonly placeholders: PlaceholderSpec[];
  readonly tables: Record<string, { description: string; columns: PlaceholderSpec[] }>;
}

export interface Preview { readonly language: string; readonly subject: string; readonly html: string; readonly from: string | null }

export interface Organization { readonly id: string; readonly code: string; readonly name: string }

export type Recipient =
  | { type: 'originator' } | { type: 'workitem-owner' } | { type: 'user'; users: string[] } | { type: 'role'; role: Role };
export type Assignee = { type: 'originator' } | { type: 'user'; users: string[] } | { type: 'role'; role: Role };

export interface EventNotification { enabled?: boolean; text: string; translations?: Record<string, string>; recipients: Recipient[] }

export interface Step {
  name: string;
  assignTo: Assignee;
  completionPolicy?: 'single' | 'all';
  workItemSubject?: string;
  instructions?: string;
  timeLimitHours?: number;
  escalateTo?: string;
  notifications?: Partial<Record<string, EventNotification>>;
}

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
  readonly notifications: Partial<Record<string, EventNotification>>;
  readonly steps: Step[];
}

export interface WorkflowEvents {
  readonly workflowEvents: string[];
  readonly stepEvents: string[];
  readonly labels: Record<string, string>;
  readonly placeholders: string[];
}

export type WorkItemAction = 'approve' | 'reject' | 'request-change' | 'delegate' | 'resubmit';

export interface WorkItem {
  readonly id: string;
  readonly instanceId: string;
  readonly kind: 'approval' | 'change-request';
  readonly stepName: string;
  readonly ownerId: string;
  readonly status: string;
  readonly subject: string;
  readonly instructions: string;
  readonly dueAt: number | null;
  readonly createdAt: number;
  readonly completedAt: number | null;
  readonly comment: string | null;
  readonly workflow: string;
  readonly document: { title: string; ref: string; type: string };
  readonly actions: WorkItemAction[];
}

export interface WorkflowInstance {
  readonly id: string;
  readonly workflow: { code: string; name: string; scope: string; templateEmailId: string };
  readonly organizationId: string | null;
  readonly documentType: string;
  readonly documentRef: string;
  readonly title: string;
  readonly originatorId: string;
  readonly status: string;
  readonly currentStepName: string;
  readonly createdAt: number;
  readonly workItems: WorkItem[];
}

export interface HistoryEntry {
  readonly seq: number;
  readonly at: number;
  readonly event: string;
  readonly label: string;
  readonly stepName: string | null;
  readonly actor: { id: string; name: string } | null;
  readonly assignee: { id: string; name: string } | null;
  readonly comment: string | null;
  readonly details: Record<string, unknown> | null;
  readonly notifications: { userName: string; status: 'queued' | 'skipped' | 'failed'; reason: string | null; emailId: string | null; language: string | null }[];
}

export interface WorkflowHistory { readonly instance: WorkflowInstance; readonly events: HistoryEntry[] }

export interface StatementDraft {
  readonly draft: Draft;
  readonly attachments: { filename: string; contentType?: string; contentBase64: string }[];
}

export interface StatementSendResult { readonly email: EmailView; readonly emlBase64?: string }
