import type { Command } from 'commander';
import * as definitions from '../../workflow/workflow-definitions.service.ts';
import type { DefinitionInput } from '../../workflow/workflow-definition.ts';
import { WORK_ITEM_ACTIONS, type WorkItemAction } from '../../workflow/workflow-engine.ts';
import { dispatchNotifications } from '../../workflow/workflow-notifier.ts';
import * as workflow from '../../workflow/workflow.service.ts';
import { actingUser, withCli } from '../cli-context.ts';
import { print, printJson, table, when } from '../output.ts';
import { readJsonFile } from './templates.commands.ts';
import { parseYesNo } from '../cli-options.ts';
import { MailroomError } from '../../errors.ts';
import { readWorkflowParameters, updateWorkflowParameters } from '../../workflow/workflow-parameters.ts';

export function registerWorkflowCommands(program: Command) {
  const w = program.command('workflow').description('workflow definitions, documents, work items and history');

  w.command('list').description('workflow definitions').option('--json').action((o: { json?: boolean }) => withCli(async ({ ctx }) => {
    const list = await definitions.listDefinitions(ctx);
    if (o.json) return printJson(list);
    table(list.map((d) => ({ ...d, steps: d.steps.length, organization: d.organizationId ?? '(system)' })),
      ['code', 'name', 'documentType', 'scope', 'organization', 'templateEmailId', 'enabled', 'version', 'steps', 'id']);
  }));

  w.command('save').description('create a workflow from a JSON file, or save a new version of one (--id)')
    .requiredOption('--file <workflow.json>').option('--id <id>').option('--json')
    .action((o: { file: string; id?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const input = readJsonFile<DefinitionInput>(o.file);
      const saved = o.id ? await definitions.updateDefinition(ctx, o.id, input) : await definitions.createDefinition(ctx, input);
      if (o.json) printJson(saved); else print(`saved ${saved.code} version ${saved.version} ${saved.id}`);
    }));

  w.command('show <id>').option('--json').action((id: string, o: { json?: boolean }) => withCli(async ({ ctx }) => {
    const d = await definitions.getDefinition(ctx, id);
    if (o.json) return printJson(d);
    print(`${d.code} ${d.name} (${d.scope}, ${d.documentType}) template ${d.templateEmailId}, version ${d.version}, ${d.enabled ? 'enabled' : 'disabled'}`);
    d.steps.forEach((s, i) => print(`  step ${i + 1}: ${s.name}, ${s.assignTo.type}, ${s.completionPolicy}, notifies on ${Object.keys(s.notifications ?? {}).join(', ') || 'nothing'}`));
  }));

  const params = w.command('params').description('workflow parameters: disallowApprovalBySubmitter (yes by default)');
  params.command('get').option('--json').action((o: { json?: boolean }) => withCli(async ({ ctx }) => {
    const p = await readWorkflowParameters(ctx);
    if (o.json) return printJson(p);
    print(`disallow approval by submitter   ${p.disallowApprovalBySubmitter ? 'yes' : 'no'}`);
  }));
  params.command('set <assignments...>').description('e.g. disallowApprovalBySubmitter=no').option('--json')
    .action((pairs: string[], o: { json?: boolean }) => withCli(async ({ ctx }) => {
      const change: Record<string, boolean> = {};
      for (const pair of pairs) {
        const [key, value = ''] = pair.split('=', 2) as [string, string?];
        if (key !== 'disallowApprovalBySubmitter') {
          throw new MailroomError('INVALID_PARAMETER', { message: `Unknown workflow parameter ${key}. Known: disallowApprovalBySubmitter.`, details: { field: key, known: ['disallowApprovalBySubmitter'] } });
        }
        change[key] = parseYesNo(key, value);
      }
      const saved = await updateWorkflowParameters(ctx, change);
      if (o.json) printJson(saved); else print('saved');
    }));

  w.command('delete <id>').action((id: string) => withCli(async ({ ctx }) => {
    await definitions.deleteDefinition(ctx, id);
    print(`deleted ${id}`);
  }));

  w.command('submit').description('submit a document to workflow').requiredOption('--title <title>')
    .option('--type <documentType>').option('--ref <reference>').option('--org <code>').option('--definition <id>')
    .option('--user <username>', 'the originator').option('--json')
    .action((o: { title: string; type?: string; ref?: string; org?: string; definition?: string; user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const instance = await workflow.submitDocument(ctx, await actingUser(ctx, o.user), {
        documentType: o.type, title: o.title, ref: o.ref, organization: o.org, definitionId: o.definition,
      });
      if (o.json) return printJson(instance);
      print(`submitted ${instance.id}: ${instance.status}, step ${instance.currentStepName}`);
      for (const item of instance.workItems) print(`  work item ${item.id} for ${item.ownerId}: ${item.subject}`);
    }));

  w.command('inbox').description('your work items').option('--user <username>').option('--all', 'include completed ones').option('--json')
    .action((o: { user?: string; all?: boolean; json?: boolean }) => withCli(async ({ ctx }) => {
      const items = await workflow.listWorkItems(ctx, await actingUser(ctx, o.user), { all: o.all });
      if (o.json) return printJson(items);
      table(items.map((i) => ({ ...i, created: when(i.createdAt), due: when(i.dueAt), actions: i.actions.join(',') })),
        ['id', 'status', 'kind', 'subject', 'workflow', 'stepName', 'created', 'due', 'actions']);
    }));

  for (const action of WORK_ITEM_ACTIONS) {
    const cmd = w.command(`${action} <workItemId>`).description(`${action.replace('-', ' ')} one of your work items`)
      .option('--comment <text>').option('--user <username>').option('--json');
    if (action === 'delegate') cmd.requiredOption('--to <username>', 'who gets the work item');
    cmd.action((id: string, o: { comment?: string; to?: string; user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const item = await workflow.actOnWorkItem(ctx, await actingUser(ctx, o.user), id, action as WorkItemAction, { comment: o.comment, to: o.to });
      if (o.json) printJson(item); else print(`${item.id} ${item.status}${action === 'delegate' ? ` (now ${item.ownerId})` : ''}`);
    }));
  }

  w.command('instances').description('workflows (all for administrators, your own for users)').option('--status <status>')
    .option('--user <username>').option('--json')
    .action((o: { status?: string; user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const list = await workflow.listInstances(ctx, await actingUser(ctx, o.user), { status: o.status });
      if (o.json) return printJson(list);
      table(list.map((i) => ({ ...i, workflow: i.workflow.code, created: when(i.createdAt) })), ['id', 'status', 'workflow', 'title', 'documentRef', 'currentStepName', 'created']);
    }));

  w.command('history <instanceId>').description('every event and assignment, with the notifications sent')
    .option('--user <username>').option('--json')
    .action((id: string, o: { user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const h = await workflow.workflowHistory(ctx, await actingUser(ctx, o.user), id);
      if (o.json) return printJson(h);
      print(`${h.instance.title} (${h.instance.workflow.name}): ${h.instance.status}`);
      for (const e of h.events) {
        const who = [e.actor ? `by ${e.actor.name}` : '', e.assignee ? `-> ${e.assignee.name}` : ''].filter(Boolean).join(' ');
        print(`  ${String(e.seq).padStart(3)} ${when(e.at)}  ${e.label}${e.stepName ? ` [${e.stepName}]` : ''} ${who}${e.comment ? `: ${e.comment}` : ''}`);
        for (const n of e.notifications) print(`        mail to ${n.userName}: ${n.status}${n.reason ? ` (${n.reason})` : ''}${n.emailId ? ` email ${n.emailId}` : ''}`);
      }
    }));

  w.command('cancel <instanceId>').description('terminate a workflow').option('--comment <text>').option('--user <username>')
    .action((id: string, o: { comment?: string; user?: string }) => withCli(async ({ ctx }) => {
      const i = await workflow.terminateInstance(ctx, await actingUser(ctx, o.user), id, o.comment);
      print(`${i.id} ${i.status}`);
    }));

  w.command('escalate').description('hand overdue work items to their escalation users').action(() => withCli(async ({ ctx }) => {
    print(`escalated ${(await workflow.escalateOverdue(ctx)).escalated}`);
  }));

  w.command('notify').description('queue workflow notifications still waiting (after a crash)').action(() => withCli(async ({ ctx }) => {
    const r = await dispatchNotifications(ctx);
    print(`events ${r.events}: queued ${r.queued}, skipped ${r.skipped}, failed ${r.failed}`);
  }));
}
