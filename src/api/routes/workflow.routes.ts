import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AppContext } from '../../app-context.ts';
import { getOptions, setOptions } from '../../users/users.service.ts';
import { DefinitionInputSchema, EVENT_LABELS, STEP_EVENTS, TEXT_VOCABULARY, WORKFLOW_EVENTS, type DefinitionInput } from '../../workflow/workflow-definition.ts';
import * as definitions from '../../workflow/workflow-definitions.service.ts';
import { WORK_ITEM_ACTIONS } from '../../workflow/workflow-engine.ts';
import { dispatchNotifications } from '../../workflow/workflow-notifier.ts';
import * as workflow from '../../workflow/workflow.service.ts';
import { currentUser } from '../auth.ts';
import { IdParams } from '../schemas.ts';

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

const InstancesQuery = Type.Object({ status: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false });
const InboxQuery = Type.Object({ all: Type.Optional(Type.Boolean({ description: 'include completed work items' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false });
const CancelBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 4_000 })) }, { additionalProperties: false });
const WorkflowOptionsBody = Type.Object({ sendNotificationsInEmail: Type.Boolean() }, { additionalProperties: false });

const idOf = (request: { params: unknown }) => (request.params as Static<typeof IdParams>).id;

export function workflowRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/api/workflow-events', { config: user, schema: { tags, summary: 'Workflow and approval-step events, and the placeholders notification texts may use' } }, async () => ({
    workflowEvents: WORKFLOW_EVENTS, stepEvents: STEP_EVENTS, labels: EVENT_LABELS, placeholders: TEXT_VOCABULARY.values,
  }));

  app.get('/api/workflows', { config: admin, schema: { tags, summary: 'Workflow definitions' } }, async () => definitions.listDefinitions(ctx));
  app.post('/api/workflows', { config: admin, schema: { tags, summary: 'Create a system-level or organization-level workflow', body: DefinitionInputSchema } }, async (request, reply) =>
    reply.code(201).send(await definitions.createDefinition(ctx, request.body as DefinitionInput)));
  app.get('/api/workflows/:id', { config: admin, schema: { tags, params: IdParams } }, async (request) => definitions.getDefinition(ctx, idOf(request)));
  app.put('/api/workflows/:id', { config: admin, schema: { tags, summary: 'Save a new version; running workflows keep theirs', params: IdParams, body: DefinitionInputSchema } }, async (request) =>
    definitions.updateDefinition(ctx, idOf(request), request.body as DefinitionInput));
  app.delete('/api/workflows/:id', { config: admin, schema: { tags, summary: 'Delete a workflow that never ran', params: IdParams } }, async (request, reply) => {
    await definitions.deleteDefinition(ctx, idOf(request));
    return reply.code(204).send();
  });

  app.post('/api/workflow/submit', { config: user, schema: { tags, summary: 'Submit a document to workflow', body: SubmitBody } }, async (request, reply) =>
    reply.code(201).send(await workflow.submitDocument(ctx, currentUser(request), request.body as Static<typeof SubmitBody>)));
  app.get('/api/workflow/instances', { config: user, schema: { tags, summary: 'Workflows: all for administrators, the ones you submitted for users', querystring: InstancesQuery } }, async (request) =>
    workflow.listInstances(ctx, currentUser(request), request.query as Static<typeof InstancesQuery>));
  app.get('/api/workflow/instances/:id', { config: user, schema: { tags, params: IdParams } }, async (request) => workflow.getInstance(ctx, currentUser(request), idOf(request)));
  app.get('/api/workflow/instances/:id/history', { config: user, schema: { tags, summary: 'Workflow history: every event and assignment, with the notifications sent', params: IdParams } }, async (request) =>
    workflow.workflowHistory(ctx, currentUser(request), idOf(request)));
  app.post('/api/workflow/instances/:id/cancel', { config: user, schema: { tags, summary: 'Cancel (terminate) a workflow: its originator or an administrator', params: IdParams, body: CancelBody } }, async (request) =>
    workflow.terminateInstance(ctx, currentUser(request), idOf(request), (request.body as Static<typeof CancelBody> | undefined)?.comment));

  app.get('/api/work-items', { config: user, schema: { tags, summary: 'Your work items (pending unless all=true)', querystring: InboxQuery } }, async (request) =>
    workflow.listWorkItems(ctx, currentUser(request), request.query as Static<typeof InboxQuery>));
  for (const action of WORK_ITEM_ACTIONS) {
    app.post(`/api/work-items/:id/${action}`, { config: user, schema: { tags, summary: `${action[0]!.toUpperCase()}${action.slice(1).replace('-', ' ')} one of your work items`, params: IdParams, body: ActionBody } }, async (request) =>
      workflow.actOnWorkItem(ctx, currentUser(request), idOf(request), action, (request.body ?? {}) as Static<typeof ActionBody>));
  }

  app.post('/api/workflow/escalate', { config: admin, schema: { tags, summary: 'Escalate overdue work items now' } }, async () => workflow.escalateOverdue(ctx));
  app.post('/api/workflow/notifications/dispatch', { config: admin, schema: { tags, summary: 'Queue workflow notifications still waiting (after a crash)' } }, async () => dispatchNotifications(ctx));

  app.get('/api/workflow/options', { config: user, schema: { tags, summary: 'Your Workflow options' } }, async (request) => ({
    sendNotificationsInEmail: (await getOptions(ctx, currentUser(request).id)).sendNotificationsInEmail,
  }));
  app.patch('/api/workflow/options', { config: user, schema: { tags, summary: 'Send notifications in email: yes or no', body: WorkflowOptionsBody } }, async (request) => {
    const { sendNotificationsInEmail } = request.body as Static<typeof WorkflowOptionsBody>;
    return { sendNotificationsInEmail: (await setOptions(ctx, currentUser(request).id, { sendNotificationsInEmail })).sendNotificationsInEmail };
  });
}
