// Workflow parameters: settings that hold for every workflow of the environment.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { AppContext } from '../app-context.ts';
import { schemaProblems } from '../config/schema-problems.ts';
import { MailroomError } from '../errors.ts';
import { readSetting, writeSetting } from '../outbound/settings.repository.ts';

export const WorkflowParametersSchema = Type.Object({
  /**
   * The user who submitted a document may not approve it, even where a step assigns them a work
   * item (they can delegate it). Dynamics ships it off; Mailroom ships it on, so that nobody
   * approves their own request unless an administrator chose to allow it.
   */
  disallowApprovalBySubmitter: Type.Boolean({ default: true }),
}, { additionalProperties: false });
export type WorkflowParameters = Static<typeof WorkflowParametersSchema>;

const KEY = 'workflow_parameters';

export async function readWorkflowParameters(ctx: AppContext): Promise<WorkflowParameters> {
  return Value.Default(WorkflowParametersSchema, (await readSetting<unknown>(ctx.db, KEY)) ?? {}) as WorkflowParameters;
}

export async function updateWorkflowParameters(ctx: AppContext, change: Partial<WorkflowParameters>): Promise<WorkflowParameters> {
  const next = { ...(await readWorkflowParameters(ctx)), ...change };
  const problems = schemaProblems(WorkflowParametersSchema, next);
  if (problems.length > 0) {
    throw new MailroomError('INVALID_PARAMETER', { message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), details: problems });
  }
  await writeSetting(ctx.db, KEY, next, ctx.clock.now());
  return next;
}
