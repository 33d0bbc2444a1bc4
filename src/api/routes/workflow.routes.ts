import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { getOptions, setOptions } from '../../users/users.service.ts';
import { DefinitionInputSchema, EVENT_LABELS, STEP_EVENTS, TEXT_VOCABULARY, WORKFLOW_EVENTS, type DefinitionInput } from '../../workflow/workflow-definition.ts';
import * as definitions from '../../workflow/workflow-definitions.service.ts';
import { WORK_ITEM_ACTIONS } from '../../workflow/workflow-engine.ts';
import { dispatchNotifications } from '../../workflow/workflow-notifier.ts';
import { readWorkflowParameters, updateWorkflowParameters } from '../../workflow/workflow-parameters.ts';
import * as workflow from '../../workflow/workflow.service.ts';
import { INSTANCE_STATUSES } from '../../workflow/workflow.repository.ts';
import { currentUser } from '../auth.ts';
import { errors, type Api } from '../openapi.ts';
import { list, NoContent, ref } from '../response-schemas.ts';
import { IdParams } from '../schemas.ts';
import { DispatchResult, EscalationResult, WorkflowDefinition, WorkflowEvents, WorkflowHistory, WorkflowInstance, WorkflowOptions, WorkflowParameters, WorkItem } from '../workflow-response-schemas.ts';

const admin = { access: 'admin' } as const;
const user = { access: 'user' } as const;
const tags = ['workflow'];

const SubmitBody = Type.Object({
  documentType: Type.Optional(Type.String({ maxLength: 60, description: 'picks the workflow: the organization\'s own, else the system-level one' })),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  ref: Type.Optional(Type.String({ maxLength: 100, description: 'the document\'s own reference, e.g. PR-000123' })),
  organization: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { description: 'organization id or code of the document' })),
  definitionId: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false });

const ActionBody = Type.Object({
  comment: Type.Optional(Type.String({ maxLength: 4_000 })),
  to: Type.Optional(Type.String({ maxLength: 100, description: 'delegate: the user id or name who gets the work item' })),
}, { additionalProperties: false });

const InstancesQuery = Type.Object({ status: Type.Optional(Type.Union(INSTANCE_STATUSES.map((s) => Type.Literal(s)))), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false });
const InboxQuery = Type.Object({ all: Type.Optional(Type.Boolean({ description: 'include completed work items' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false });
const CancelBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 4_000 })) }, { additionalProperties: false });
const WorkflowOptionsBody = Type.Object({ sendNotificationsInEmail: Type.Boolean() }, { additionalProperties: false });
const WorkflowParametersBody = Type.Object({ disallowApprovalBySubmitter: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 });

const idOf = (request: { params: unknown }) => (request.params as Static<typeof IdParams>).id;

export function workflowRoutes(app: Api, ctx: AppContext) {
  app.get('/api/workflow-events', { config: user, schema: { tags, summary: 'Workflow and approval-step events, and the placeholders notification texts may use', response: { 200: ref(WorkflowEvents) } } }, async () => ({
    workflowEvents: WORKFLOW_EVENTS, stepEvents: STEP_EVENTS, labels: EVENT_LABELS, placeholders: TEXT_VOCABULARY.values,
  }));

  app.get('/api/workflows', { config: admin, schema: { tags, summary: 'Workflow definitions', response: { 200: list(ref(WorkflowDefinition)) } } }, async () => definitions.listDefinitions(ctx));
  app.post('/api/workflows', { config: admin, schema: { tags, summary: 'Create a system-level or organization-level workflow', body: DefinitionInputSchema, response: { 201: ref(WorkflowDefinition), ...errors('CONFLICT', 'NOT_FOUND', 'WORKFLOW_TEMPLATE_MISSING') } } }, async (request, reply) =>
    reply.code(201).send(await definitions.createDefinition(ctx, request.body as DefinitionInput)));
  app.get('/api/workflows/:id', { config: admin, schema: { tags, summary: 'One workflow definition', params: IdParams, response: { 200: ref(WorkflowDefinition), ...errors('NOT_FOUND') } } }, async (request) => definitions.getDefinition(ctx, idOf(request)));
  app.put('/api/workflows/:id', { config: admin, schema: { tags, summary: 'Save a new version; running workflows keep theirs', params: IdParams, body: DefinitionInputSchema, response: { 200: ref(WorkflowDefinition), ...errors('CONFLICT', 'NOT_FOUND', 'WORKFLOW_TEMPLATE_MISSING') } } }, async (request) =>
    definitions.updateDefinition(ctx, idOf(request), request.body as DefinitionInput));
  app.delete('/api/workflows/:id', { config: admin, schema: { tags, summary: 'Delete a workflow that never ran', params: IdParams, response: { 204: NoContent('Deleted'), ...errors('NOT_FOUND', 'CONFLICT') } } }, async (request, reply) => {
    await definitions.deleteDefinition(ctx, idOf(request));
    return reply.code(204).send();
  });

  app.post('/api/workflow/submit', { config: user, schema: { tags, summary: 'Submit a document to workflow', body: SubmitBody, response: { 201: ref(WorkflowInstance), ...errors('NOT_FOUND', 'WORKFLOW_NO_DEFINITION', 'WORKFLOW_NO_ASSIGNEE') } } }, async (request, reply) =>
    reply.code(201).send(await workflow.submitDocument(ctx, currentUser(request), request.body as Static<typeof SubmitBody>)));
  app.get('/api/workflow/instances', { config: user, schema: { tags, summary: 'Workflows: all for administrators, the ones you submitted for users', querystring: InstancesQuery, response: { 200: list(ref(WorkflowInstance)) } } }, async (request) =>
    workflow.listInstances(ctx, currentUser(request), request.query as Static<typeof InstancesQuery>));
  app.get('/api/workflow/instances/:id', { config: user, schema: { tags, summary: 'One workflow with its work items', params: IdParams, response: { 200: ref(WorkflowInstance), ...errors('NOT_FOUND') } } }, async (request) => workflow.getInstance(ctx, currentUser(request), idOf(request)));
  app.get('/api/workflow/instances/:id/history', { config: user, schema: { tags, summary: 'Workflow history: every event and assignment, with the notifications sent', params: IdParams, response: { 200: ref(WorkflowHistory), ...errors('NOT_FOUND') } } }, async (request) =>
    workflow.workflowHistory(ctx, currentUser(request), idOf(request)));
  app.post('/api/workflow/instances/:id/cancel', { config: user, schema: { tags, summary: 'Cancel (terminate) a workflow: its originator or an administrator', params: IdParams, body: CancelBody, response: { 200: ref(WorkflowInstance), ...errors('NOT_FOUND', 'FORBIDDEN', 'WORKFLOW_INSTANCE_CLOSED') } } }, async (request) =>
    workflow.terminateInstance(ctx, currentUser(request), idOf(request), (request.body as Static<typeof CancelBody> | undefined)?.comment));

  app.get('/api/work-items', { config: user, schema: { tags, summary: 'Your work items (pending unless all=true)', querystring: InboxQuery, response: { 200: list(ref(WorkItem)) } } }, async (request) =>
    workflow.listWorkItems(ctx, currentUser(request), request.query as Static<typeof InboxQuery>));
  for (const action of WORK_ITEM_ACTIONS) {
    app.post(`/api/work-items/:id/${action}`, { config: user, schema: { tags, summary: `${action[0]!.toUpperCase()}${action.slice(1).replace('-', ' ')} one of your work items`, params: IdParams, body: ActionBody, response: { 200: ref(WorkItem), ...errors('NOT_FOUND', 'WORKFLOW_NOT_OWNER', 'WORKFLOW_SUBMITTER_APPROVAL', 'WORKFLOW_ITEM_CLOSED', 'WORKFLOW_ACTION_INVALID', 'WORKFLOW_INSTANCE_CLOSED', 'WORKFLOW_NO_ASSIGNEE') } } }, async (request) =>
      workflow.actOnWorkItem(ctx, currentUser(request), idOf(request), action, (request.body ?? {}) as Static<typeof ActionBody>));
  }

  app.post('/api/workflow/escalate', { config: admin, schema: { tags, summary: 'Escalate overdue work items now', response: { 200: ref(EscalationResult) } } }, async () => workflow.escalateOverdue(ctx));
  app.post('/api/workflow/notifications/dispatch', { config: admin, schema: { tags, summary: 'Queue workflow notifications still waiting (after a crash)', response: { 200: ref(DispatchResult) } } }, async () => dispatchNotifications(ctx));

  app.get('/api/workflow/parameters', { config: admin, schema: { tags, summary: 'Workflow parameters of the environment', response: { 200: ref(WorkflowParameters) } } }, async () => readWorkflowParameters(ctx));
  app.patch('/api/workflow/parameters', { config: admin, schema: { tags, summary: 'Change workflow parameters: Disallow approval by submitter', body: WorkflowParametersBody, response: { 200: ref(WorkflowParameters), ...errors('INVALID_PARAMETER') } } }, async (request) =>
    updateWorkflowParameters(ctx, request.body as Static<typeof WorkflowParametersBody>));

  app.get('/api/workflow/options', { config: user, schema: { tags, summary: 'Your Workflow options', response: { 200: ref(WorkflowOptions) } } }, async (request) => ({
    sendNotificationsInEmail: (await getOptions(ctx, currentUser(request).id)).sendNotificationsInEmail,
  }));
  app.patch('/api/workflow/options', { config: user, schema: { tags, summary: 'Send notifications in email: yes or no', body: WorkflowOptionsBody, response: { 200: ref(WorkflowOptions) } } }, async (request) => {
    const { sendNotificationsInEmail } = request.body as Static<typeof WorkflowOptionsBody>;
    return { sendNotificationsInEmail: (await setOptions(ctx, currentUser(request).id, { sendNotificationsInEmail })).sendNotificationsInEmail };
  });
}
