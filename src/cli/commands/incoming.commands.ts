// Incoming synchronization from the command line: `sync --once [--mailbox M]`, `reconcile M`,
// `sync-status M`, and a user's folder tracking rules (`folder-rules add|list|remove`). The
// personal tracking options are flags of `options set` (admin.commands.ts) and `options show`.
import type { Command } from 'commander';
import { addFolderRule, listFolderRules, removeFolderRule, type FolderRule } from '../../sync/folder-rules.service.ts';
import { incomingSyncJob } from '../../sync/incoming/incoming-job.ts';
import type { Reconciliation } from '../../sync/incoming/reconciliation.ts';
import { reconcileNow, syncMailboxNow } from '../../sync/incoming/sync-now.ts';
import { mailboxSyncStatus, type SyncStatus } from '../../sync/incoming/sync-status.ts';
import { createSyncScheduler } from '../../sync/scheduler.ts';
import { optionsOwner } from '../../sync/tracking-options.service.ts';
import { actingUser, withCli } from '../cli-context.ts';
import { print, printJson, table, when } from '../output.ts';

type Json = { json?: boolean };
type AsUser = Json & { user?: string };

function printReconciliation(r: Reconciliation) {
  print(`Reconciled ${when(r.ranAt)}: ${r.gaps === 0 ? 'no gap' : `${r.gaps} GAP(S): messages on the server never processed`}`);
  table(r.folders.map((f) => ({ ...f, gaps: f.gapCount })), ['folder', 'onServer', 'tracked', 'skipped', 'failing', 'undeliverable', 'notYetSeen', 'gaps']);
  for (const f of r.folders) for (const g of f.gaps) print(`  gap in ${f.folder}: UID ${g.uid} ${g.messageId ?? '(no Message-ID)'} received ${when(g.receivedAt)}`);
}

function printStatus(s: SyncStatus) {
  print(`${s.email}: ${s.health.toUpperCase()}`);
  for (const r of s.reasons) print(`  - ${r}`);
  print(`  Last success: ${when(s.lastSuccessAt)}   Next poll: ${when(s.nextPollAt)}`);
  if (s.lastError) print(`  Last error: ${s.lastError.code} x${s.lastError.count} at ${when(s.lastError.at)}: ${s.lastError.response ?? ''}`);
  print(`  Messages: ${s.counts.tracked} tracked, ${s.counts.skipped} skipped, ${s.counts.failing} failing, ${s.counts.undeliverable} undeliverable`);
  for (const f of s.failures) print(`  ${f.outcome} ${f.folder} UID ${f.uid} ${f.messageId ?? ''} (${f.attempts} attempt(s)): ${f.code ?? ''} ${f.reason ?? ''}`);
  if (s.reconciliation) printReconciliation(s.reconciliation);
  else print('  Not reconciled yet.');
}

const ruleRow = (r: FolderRule) => ({ folder: r.folder, regarding: r.regarding ? `${r.regarding.type}:${r.regarding.id}` : '-', id: r.id });

export function registerIncomingCommands(program: Command) {
  program.command('sync').description('incoming synchronization: one cycle of every due mailbox, or of one mailbox, then exit')
    .option('--once', 'one cycle, then exit (the only mode: serve and worker synchronize continuously)')
    .option('--mailbox <mailbox>', 'only this mailbox (id or email address), due or not').option('--user <username>', 'act as this user').option('--json')
    .action((o: AsUser & { once?: boolean; mailbox?: string }) => withCli(async ({ ctx }) => {
      if (!o.once) {
        print('mailroom sync runs one cycle with --once; mailroom serve and mailroom worker synchronize continuously.');
        process.exitCode = 2;
        return;
      }
      if (o.mailbox) {
        const done = await syncMailboxNow(ctx, await actingUser(ctx, o.user), o.mailbox);
        if (o.json) return printJson(done);
        const r = done.result;
        print(`${o.mailbox}: ${r.tracked} tracked, ${r.skipped} skipped, ${r.failed} failed, ${r.undeliverable} set aside as undeliverable`);
        if (done.reconciliation) printReconciliation(done.reconciliation);
        return;
      }
      const results: { mailboxId: string; tracked: number; skipped: number; failed: number; undeliverable: number }[] = [];
      const scheduler = createSyncScheduler(ctx, { job: incomingSyncJob({ holdMs: 0, onCycle: (m, r) => results.push({ mailboxId: m.id, ...r }) }) });
      const pass = await scheduler.runOnce();
      await scheduler.stop();
      if (o.json) return printJson({ ...pass, mailboxes: results });
      print(`${pass.claimed} mailbox(es) due: ${pass.succeeded} synchronized, ${pass.failed} failed (see mailroom alerts)`);
      if (results.length) table(results, ['mailboxId', 'tracked', 'skipped', 'failed', 'undeliverable']);
      if (pass.failed > 0) process.exitCode = 1;
    }));

  program.command('reconcile <mailbox>').description('compare what the server holds with what Mailroom processed; any gap is reported and alerted')
    .option('--user <username>', 'act as this user').option('--json')
    .action((ref: string, o: AsUser) => withCli(async ({ ctx }) => {
      const r = await reconcileNow(ctx, await actingUser(ctx, o.user), ref);
      if (o.json) printJson(r); else printReconciliation(r);
      if (r.gaps > 0) process.exitCode = 1;
    }));

  program.command('sync-status <mailbox>').description('a mailbox\'s incoming health: counts, failing messages with their reasons, the last reconciliation')
    .option('--user <username>', 'act as this user').option('--json')
    .action((ref: string, o: AsUser) => withCli(async ({ ctx }) => {
      const s = await mailboxSyncStatus(ctx, await actingUser(ctx, o.user), ref);
      if (o.json) printJson(s); else printStatus(s);
    }));

  const rules = program.command('folder-rules').description('folder tracking rules: folders under the Inbox whose mail is tracked, with an optional regarding record');
  const owner = async (ctx: Parameters<typeof actingUser>[0], o: { user?: string; for?: string }) => optionsOwner(ctx, await actingUser(ctx, o.user), o.for);
  rules.command('list').option('--for <user>', 'whose rules (administrators)').option('--user <username>', 'act as this user').option('--json')
    .action((o: AsUser & { for?: string }) => withCli(async ({ ctx }) => {
      const list = await listFolderRules(ctx, (await owner(ctx, o)).id);
      if (o.json) printJson(list); else table(list.map(ruleRow), ['folder', 'regarding', 'id']);
    }));
  rules.command('add <folder>').option('--regarding <TYPE:ID>', 'the record its mail is regarding, applied again on every sync')
    .option('--for <user>', 'whose rules (administrators)').option('--user <username>', 'act as this user').option('--json')
    .action((folder: string, o: AsUser & { for?: string; regarding?: string }) => withCli(async ({ ctx }) => {
      const rule = await addFolderRule(ctx, (await owner(ctx, o)).id, { folder, ...(o.regarding ? { regarding: o.regarding } : {}) });
      if (o.json) printJson(rule); else print(`tracking ${rule.folder}${rule.regarding ? ` regarding ${rule.regarding.type} ${rule.regarding.id}` : ''}`);
    }));
  rules.command('remove <rule>').description('by id or folder').option('--for <user>', 'whose rules (administrators)').option('--user <username>', 'act as this user').option('--json')
    .action((ref: string, o: AsUser & { for?: string }) => withCli(async ({ ctx }) => {
      const id = (await owner(ctx, o)).id;
      await removeFolderRule(ctx, id, ref);
      if (o.json) printJson(await listFolderRules(ctx, id)); else print(`removed ${ref}`);
    }));
}
