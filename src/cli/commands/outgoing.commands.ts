// mailroom activities send|draft|send-draft|cancel|resend: email activities written here go out
// through the acting user's mailbox (--user), or a queue's they belong to (--queue), on the queue.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { EmailActivityDetail } from '../../crm/email-activity.view.ts';
import { parseRegarding } from '../../crm/record-types.ts';
import { MailroomError } from '../../errors.ts';
import { readEmailSettings } from '../../sync/email-settings.ts';
import { cancelActivity, composeAndSend, composeDraft, resendActivity, sendActivity } from '../../sync/outgoing/send-activity.ts';
import { listActivityTemplates } from '../../sync/outgoing/activity-template.ts';
import type { AppContext } from '../../app-context.ts';
import { actingUser, withCli } from '../cli-context.ts';
import { collect } from '../cli-options.ts';
import { print, printJson } from '../output.ts';

interface ComposeFlags {
  user?: string; queue?: string; to?: string[]; cc?: string[]; bcc?: string[]; from?: string;
  subject?: string; body?: string; html?: string; attach?: string[]; regarding?: string; template?: string; json?: boolean;
}

function withComposeFlags(cmd: Command): Command {
  return cmd
    .option('--to <address>', 'recipient (repeat for more)', collect)
    .option('--cc <address>', 'copy recipient (repeat for more)', collect)
    .option('--bcc <address>', 'blind copy recipient (repeat for more)', collect)
    .option('--subject <text>', 'subject (the tracking token is added when it is sent)', '')
    .option('--body <text>', 'plain-text body')
    .option('--html <html>', 'HTML body')
    .option('--attach <file>', 'attach a file (repeat for more)', collect)
    .option('--regarding <TYPE:ID>', 'the record it is about: account:ID, contact:ID, lead:ID…')
    .option('--from <address>', 'From address (another than the mailbox\'s own needs a Send-As grant)')
    .option('--template <emailId>', 'a general email template: its subject and HTML fill what is left empty')
    .option('--user <username>', 'act as this user: the owner, whose mailbox sends it')
    .option('--json', 'machine-readable output');
}

function readAttachment(file: string) {
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    return { filename: basename(file), content: readFileSync(file) };
  } catch (err) {
    throw new MailroomError('VALIDATION_FAILED', { message: `--attach ${file}: ${(err as Error).message}`, details: { field: '--attach' } });
  }
}

async function toInput(ctx: AppContext, o: ComposeFlags) {
  return {
    subject: o.subject ?? '', text: o.body ?? null, html: o.html ?? null, from: o.from, to: o.to, cc: o.cc, bcc: o.bcc,
    regarding: o.regarding ? await parseRegarding(ctx, o.regarding) : null,
    attachments: (o.attach ?? []).map(readAttachment),
  };
}

function show(a: EmailActivityDetail, json: boolean | undefined) {
  if (json) return printJson(a);
  print(`${a.id}  ${a.status}${a.statusDetail ? `: ${a.statusDetail}` : ''}`);
  print(`  Subject: ${a.subject}`);
  if (a.messageId) print(`  Message-ID: ${a.messageId}  token ${a.trackingToken ?? '-'}  email ${a.emailId ?? '-'}`);
}

export function registerOutgoingActivityCommands(activities: Command) {
  withComposeFlags(activities.command('send').description('write an email activity and send it through your mailbox (or --queue\'s)'))
    .option('--queue <queue>', 'send from this queue\'s mailbox (id, name or address)')
    .action((o: ComposeFlags) => withCli(async ({ ctx }) => {
      const actor = await actingUser(ctx, o.user);
      const { maxAttachmentKb } = await readEmailSettings(ctx);
      show(await composeAndSend(ctx, actor, await toInput(ctx, o), { queue: o.queue, template: o.template, maxAttachmentKb }), o.json);
    }));
  withComposeFlags(activities.command('draft').description('write an outgoing email activity as a Draft, to send later'))
    .action((o: ComposeFlags) => withCli(async ({ ctx }) => {
      const actor = await actingUser(ctx, o.user);
      const { maxAttachmentKb } = await readEmailSettings(ctx);
      show(await composeDraft(ctx, actor, await toInput(ctx, o), { template: o.template, maxAttachmentKb }), o.json);
    }));
  activities.command('templates').description('the general email templates an activity may be written from (--template)')
    .option('--regarding <TYPE:ID>', 'only those that apply to this record: its organization\'s, then the system\'s')
    .option('--json', 'machine-readable output')
    .action((o: { regarding?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const list = await listActivityTemplates(ctx, { regarding: o.regarding ? await parseRegarding(ctx, o.regarding) : null });
      if (o.json) return printJson(list);
      if (!list.length) return print('No general email templates. An administrator adds them with mailroom templates save.');
      for (const t of list) print(`${t.emailId.padEnd(20)} ${(t.organization ? t.organization.code : 'system').padEnd(10)} ${t.languages.join(',').padEnd(14)} ${t.description}`);
    }));
  activities.command('send-draft <id>').description('send your Draft through your mailbox (or --queue\'s)')
    .option('--queue <queue>').option('--user <username>').option('--json')
    .action((id: string, o: { queue?: string; user?: string; json?: boolean }) => withCli(async ({ ctx }) =>
      show(await sendActivity(ctx, await actingUser(ctx, o.user), id, { queue: o.queue }), o.json)));
  activities.command('cancel <id>').description('cancel a Draft or a Pending send email activity')
    .option('--user <username>').option('--json')
    .action((id: string, o: { user?: string; json?: boolean }) => withCli(async ({ ctx }) => show(await cancelActivity(ctx, await actingUser(ctx, o.user), id), o.json)));
  activities.command('resend <id>').description('send a Failed email activity again (same message and Message-ID)')
    .option('--user <username>').option('--json')
    .action((id: string, o: { user?: string; json?: boolean }) => withCli(async ({ ctx }) => show(await resendActivity(ctx, await actingUser(ctx, o.user), id), o.json)));
}
