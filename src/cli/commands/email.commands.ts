import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { startClaimHeartbeat } from '../../outbound/claim-heartbeat.ts';
import { runDistributorPass } from '../../outbound/distributor.ts';
import type { EmailInput } from '../../outbound/hand-in.ts';
import * as outbound from '../../outbound/outbound.service.ts';
import { resendNotification } from '../../workflow/workflow-notifier.ts';
import { testConnection } from '../../outbound/connection-test.ts';
import { EMAIL_STATUSES } from '../../store/tables.ts';
import { MailroomError } from '../../errors.ts';
import { actingUser, withCli } from '../cli-context.ts';
import { collect } from '../cli-options.ts';
import { parseStatuses, parseTime } from '../../outbound/history-query.ts';
import { emailRow, print, printEmail, printJson, table } from '../output.ts';


interface MessageFlags {
  to?: string[]; cc?: string[]; bcc?: string[]; subject?: string; body?: string; html?: string; attach?: string[]; from?: string; user?: string; json?: boolean;
}

function withMessageFlags(cmd: Command): Command {
  return cmd
    .option('--to <address>', 'recipient (repeat for more)', collect)
    .option('--cc <address>', 'copy recipient (repeat for more)', collect)
    .option('--bcc <address>', 'blind copy recipient (repeat for more)', collect)
    .option('--subject <text>', 'subject', '')
    .option('--body <text>', 'plain-text body')
    .option('--html <html>', 'HTML body')
    .option('--attach <file>', 'attach a file (repeat for more)', collect)
    .option('--from <address>', 'From address (needs a Send-As grant unless it is your own)')
    .option('--user <username>', 'act as this user (default: MAILROOM_USER or the first administrator)')
    .option('--json', 'machine-readable output');
}

function toInput(o: MessageFlags): EmailInput {
  return {
    from: o.from, to: o.to, cc: o.cc, bcc: o.bcc, subject: o.subject, body: o.body, html: o.html,
    attachments: (o.attach ?? []).map((file) => ({ filename: basename(file), content: readAttachment(file) })),
  };
}

function readAttachment(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'Mailroom may not read it' : (err as Error).message;
    throw new MailroomError('VALIDATION_FAILED', { message: `Cannot attach ${file}: ${why}.`, details: { field: '--attach', value: file }, cause: err });
  }
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new MailroomError('VALIDATION_FAILED', { message: `--limit is a whole number from 1 to 500, not ${value}.`, details: { field: '--limit' } });
  return n;
}

export function registerEmailCommands(program: Command) {
  withMessageFlags(program.command('send').description('hand an email to the queue; the distributor sends it'))
    .option('--provider <id>', 'provider (default: the batch email provider)')
    .option('--idempotency-key <key>', 'the same key within 48 hours returns the email already queued')
    .action((o: MessageFlags & { provider?: string; idempotencyKey?: string }) => withCli(async ({ ctx }) => {
      const result = await outbound.queueEmail(ctx, await actingUser(ctx, o.user), toInput(o), { provider: o.provider, idempotencyKey: o.idempotencyKey });
      if (o.json) printJson(result);
      else print(`${result.duplicate ? 'already queued' : 'queued'} ${result.email.id} ${result.email.messageId}`);
    }));

  withMessageFlags(program.command('eml').description('write the email as an .eml file to standard output (the email app provider)'))
    .action((o: MessageFlags) => withCli(async ({ ctx, providers }) => {
      const result = await outbound.sendInteractive(ctx, providers, await actingUser(ctx, o.user), toInput(o), { provider: 'eml' });
      process.stdout.write(result.eml!);
    }));

  program.command('distribute').description('run the email distributor batch')
    .option('--once', 'one pass, then exit (the default)', true)
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => withCli(async ({ ctx, providers }) => {
      // The heartbeat keeps this pass's claims while it sends, however long that takes.
      const heartbeat = startClaimHeartbeat(ctx);
      const run = await runDistributorPass(ctx, providers, { heartbeat }).finally(() => heartbeat.stop());
      if (o.json) printJson(run);
      else print(`claimed ${run.claimed}: sent ${run.sent}, failed ${run.failed}, retry later ${run.retried}, deferred ${run.deferred}, expired ${run.expired}, purged ${run.purged}`);
    }));

  program.command('status').description('batch email sending status: the queue')
    .option('--user <username>').option('--json', 'machine-readable output')
    .action((o: { user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const queue = await outbound.listQueue(ctx, await actingUser(ctx, o.user));
      if (o.json) return printJson(queue);
      if (queue.length === 0) return print('The queue is empty.');
      table(queue.map((e) => ({ ...emailRow(e), deferrals: e.deferrals })), ['id', 'status', 'sender', 'to', 'subject', 'attempts', 'deferrals', 'next', 'error']);
    }));

  program.command('history').description('email history, newest first')
    .option('--status <status>', `filter: ${EMAIL_STATUSES.join(', ')} (comma-separated)`)
    .option('--sender <address>').option('--since <date>').option('--until <date>').option('--text <text>')
    .option('--limit <n>', 'rows', '50').option('--user <username>').option('--json', 'machine-readable output')
    .action((o: { status?: string; sender?: string; since?: string; until?: string; text?: string; limit: string; user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const page = await outbound.listHistory(ctx, await actingUser(ctx, o.user), {
        status: parseStatuses(o.status), sender: o.sender, text: o.text, limit: parseLimit(o.limit),
        from: parseTime('--since', o.since), to: parseTime('--until', o.until),
      });
      if (o.json) return printJson(page);
      table(page.items.map(emailRow), ['id', 'status', 'provider', 'sender', 'to', 'subject', 'attempts', 'created', 'error']);
    }));

  program.command('show <id>').description('one email with its recipients, attempts and failure details')
    .option('--user <username>').option('--json', 'machine-readable output')
    .action((id: string, o: { user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const email = await outbound.getEmail(ctx, await actingUser(ctx, o.user), id);
      if (o.json) printJson(email); else printEmail(email);
    }));

  program.command('resend <id>').description('queue a failed or expired email again')
    .option('--user <username>').option('--json', 'machine-readable output')
    .action((id: string, o: { user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const actor = await actingUser(ctx, o.user);
      const email = (await resendNotification(ctx, actor, id)) ?? await outbound.resendEmail(ctx, actor, id);
      if (o.json) printJson(email); else print(`queued again ${email.id}`);
    }));

  program.command('cancel <id>').description('cancel an email that is still waiting')
    .option('--user <username>').option('--json', 'machine-readable output')
    .action((id: string, o: { user?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const email = await outbound.cancelEmail(ctx, await actingUser(ctx, o.user), id);
      if (o.json) printJson(email); else print(`cancelled ${email.id}`);
    }));

  program.command('test-email').description('send a test email with the current settings of a provider and show the result')
    .requiredOption('--to <address>').option('--provider <id>', 'smtp, graph or exchange', 'smtp').option('--user <username>').option('--json', 'machine-readable output')
    .action((o: { to: string; provider: string; user?: string; json?: boolean }) => withCli(async ({ ctx, providers }) => {
      const email = await outbound.sendTestEmail(ctx, providers, await actingUser(ctx, o.user), o.to, o.provider);
      if (o.json) printJson(email); else printEmail(email);
      if (email.status !== 'sent') process.exitCode = 1;
    }));

  program.command('test-connection').description('sign in to a provider and look the mailbox up, without sending')
    .requiredOption('--provider <id>', 'smtp, graph or exchange').option('--mailbox <address>', 'the mailbox to look up (graph, exchange)').option('--json', 'machine-readable output')
    .action((o: { provider: string; mailbox?: string; json?: boolean }) => withCli(async ({ ctx, providers }) => {
      const report = await testConnection(ctx, providers, o.provider, o.mailbox);
      if (o.json) return printJson(report);
      for (const s of report.steps) print(`${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(10)} ${s.detail}`);
    }));
}
