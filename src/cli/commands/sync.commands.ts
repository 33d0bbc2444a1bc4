import type { Command } from 'commander';
import type { AppContext } from '../../app-context.ts';
import { readFileSync } from 'node:fs';
import * as queues from '../../crm/queues.service.ts';
import { MailroomError } from '../../errors.ts';
import { certificateSubjects } from '../../security/trusted-ca.ts';
import { alertsWall, mailboxAlerts, type Alert } from '../../sync/alerts.service.ts';
import { grantApprover, listApprovers, revokeApprover, setApproval } from '../../sync/approval.service.ts';
import { EmailSettingsSchema, readEmailSettings, updateEmailSettings, type EmailSettingsChange } from '../../sync/email-settings.ts';
import { getMailboxFor, listMailboxes, toMailboxView, updateMailbox, type MailboxView } from '../../sync/mailboxes.service.ts';
import { startProfileTestEnable, testProfileConnection } from '../../sync/profile-commands.ts';
import { createProfile, getProfile, listProfiles, updateProfile, type ProfileInput } from '../../sync/server-profiles.service.ts';
import { testAndEnable } from '../../sync/test-enable.ts';
import { getUser } from '../../users/users.service.ts';
import { actingUser, withCli } from '../cli-context.ts';
import { collect, parseYesNo } from '../cli-options.ts';
import { print, printJson, table, when } from '../output.ts';

type Json = { json?: boolean };
const integer = (flag: string) => (value: string) => {
  if (!/^-?\d+$/.test(value.trim())) throw new MailroomError('VALIDATION_FAILED', { message: `${flag} takes a whole number, not ${value}.`, details: { field: flag } });
  return Number(value);
};
const yesNo = (flag: string) => (value: string) => parseYesNo(flag, value);
const nullable = (value: string) => (value === '' || value === 'none' ? null : value);

/** The profile flags of `profiles add` and `profiles set`. */
function profileOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>').option('--description <text>').option('--type <type>', 'imap or pop3 (Exchange types are refused until they exist)')
    .option('--owner <user>', 'who receives the alerts').option('--default', 'the default profile for new mailboxes')
    .option('--incoming-host <host>').option('--incoming-port <port>', 'empty: from the type and SSL', integer('--incoming-port')).option('--incoming-ssl <yes|no>', 'default yes', yesNo('--incoming-ssl'))
    .option('--incoming-auth <auto|basic>')
    .option('--outgoing-host <host>').option('--outgoing-port <port>', 'empty: 587 with SSL, else 25', integer('--outgoing-port')).option('--outgoing-ssl <yes|no>', 'default yes', yesNo('--outgoing-ssl'))
    .option('--outgoing-auth <auto|basic>')
    .option('--credentials <mailbox|profile>', 'who gives the credentials: each mailbox (default) or the profile')
    .option('--username <name>').option('--password <password>', 'the profile\'s password (stored encrypted)')
    .option('--same-outgoing <yes|no>', 'use the same settings for outgoing (default yes)', yesNo('--same-outgoing'))
    .option('--outgoing-username <name>').option('--outgoing-password <password>')
    .option('--verify-certificate <yes|no>', 'default yes', yesNo('--verify-certificate'))
    .option('--trusted-ca <file>', "PEM certificates of a private authority to trust for these servers ('' clears them)")
    .option('--process-from <YYYY-MM-DD>', 'process email received after this date ("none" clears it)')
    .option('--min-polling <minutes>', '0-1440', integer('--min-polling')).option('--max-connections <n>', '1-300, default 10', integer('--max-connections'))
    .option('--move-failed <yes|no>', 'move failed email to the Undeliverable folder', yesNo('--move-failed'))
    .option('--majority-alert <yes|no>', 'alert the owner when more than half of the mailboxes fail within an hour', yesNo('--majority-alert'))
    .option('--user <username>', 'act as this user').option('--json');
}

type ProfileFlags = Json & {
  name?: string; description?: string; type?: string; owner?: string; default?: boolean; incomingHost?: string; incomingPort?: number; incomingSsl?: boolean;
  incomingAuth?: string; outgoingHost?: string; outgoingPort?: number; outgoingSsl?: boolean; outgoingAuth?: string; credentials?: string; username?: string;
  password?: string; sameOutgoing?: boolean; outgoingUsername?: string; outgoingPassword?: string; verifyCertificate?: boolean; trustedCa?: string; processFrom?: string;
  minPolling?: number; maxConnections?: number; moveFailed?: boolean; majorityAlert?: boolean; user?: string;
};

/** The file named by --trusted-ca; '' clears. A file that cannot be read is a clear refusal. */
function readPemFile(path: string): string {
  if (path === '') return '';
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new MailroomError('INVALID_PARAMETER', { message: `--trusted-ca: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, details: [{ field: 'trustedCa', message: 'Give the path of a PEM file.' }] });
  }
}

const trustedCaSummary = (pem: string) => certificateSubjects(pem).join('; ') || '-';

const profileInput = (o: ProfileFlags): ProfileInput => ({
  name: o.name, description: o.description, serverType: o.type, owner: o.owner, isDefault: o.default,
  incomingHost: o.incomingHost, incomingPort: o.incomingPort, incomingSsl: o.incomingSsl, incomingAuth: o.incomingAuth,
  outgoingHost: o.outgoingHost, outgoingPort: o.outgoingPort, outgoingSsl: o.outgoingSsl, outgoingAuth: o.outgoingAuth,
  credentialsFrom: o.credentials as ProfileInput['credentialsFrom'], username: o.username, password: o.password,
  outgoingSameSettings: o.sameOutgoing, outgoingUsername: o.outgoingUsername, outgoingPassword: o.outgoingPassword,
  verifyCertificate: o.verifyCertificate, trustedCa: o.trustedCa === undefined ? undefined : readPemFile(o.trustedCa), processEmailFrom: o.processFrom === undefined ? undefined : nullable(o.processFrom),
  minPollingMinutes: o.minPolling, maxConnections: o.maxConnections, moveFailedToUndeliverable: o.moveFailed, alertOnMajorityFailure: o.majorityAlert,
});

function mailboxRow(m: MailboxView) {
  const ch = (c: keyof MailboxView['channels']) => `${m.channels[c].method}/${m.channels[c].status}${m.channels[c].enabled ? '/on' : ''}`;
  return { email: m.email, kind: m.ownerKind, approval: m.approval.status, incoming: ch('incoming'), outgoing: ch('outgoing'), lastSuccess: when(m.lastSuccessAt), error: m.lastError ? `${m.lastError.code} x${m.lastError.count}` : '', id: m.id };
}

/** The profile and the approver by name, as a person reads them (the ids stay in --json). */
async function printMailbox(ctx: AppContext, m: MailboxView) {
  const named = async (id: string | null, find: (id: string) => Promise<string>) => (id ? find(id).catch(() => id) : '-');
  const profile = await named(m.profileId, async (id) => (await getProfile(ctx, id)).name);
  const approver = await named(m.approval.by, async (id) => (await getUser(ctx, id)).username);
  print(`${m.email}  (${m.ownerKind} mailbox ${m.id})`);
  print(`  Profile: ${profile}   Approval: ${m.approval.status}${m.approval.at ? ` by ${approver} at ${when(m.approval.at)}` : ''}`);
  print(`  Credentials: ${m.allowCredentials ? 'allowed' : 'not allowed'}, user name ${m.username || '-'}, password ${m.passwordSet ? 'set' : 'not set'}`);
  print(`  Delete email after processing: ${m.deleteAfterProcessing ? 'yes' : 'no'}   Process email received after: ${m.processAfter ?? '-'}`);
  for (const [name, c] of Object.entries(m.channels)) {
    print(`  ${name}: ${c.method}, ${c.enabled ? 'enabled' : 'not enabled'}, test ${c.status}`);
    if (c.test?.status === 'failure') print(`    failed at ${c.test.step}: ${c.test.code}: ${c.test.message}${c.test.response ? `\n    server said: ${c.test.response}` : ''}`);
  }
  const nextPoll = m.channels.incoming.enabled ? when(m.nextPollAt) : '- (incoming not enabled)';
  print(`  Last success: ${when(m.lastSuccessAt)}   Next poll: ${nextPoll}   Next retry: ${when(m.nextRetryAt)}`);
  if (m.lastError) print(`  Last error: ${m.lastError.code} (${m.lastError.count}x, ${when(m.lastError.at)}, ${m.lastError.channel}): ${m.lastError.response ?? ''}`);
}

const printAlerts = (list: readonly Alert[]) => table(list.map((a) => ({ time: when(a.createdAt), level: a.level, code: a.code ?? '', message: a.message })), ['time', 'level', 'code', 'message']);

/** The wall gathers several mailboxes' alerts, and an alert's text need not name its mailbox: a column does. */
async function printWall(ctx: AppContext, list: readonly Alert[]) {
  const ids = [...new Set(list.flatMap((a) => (a.mailboxId ? [a.mailboxId] : [])))];
  const rows = ids.length ? await ctx.db.selectFrom('mailbox').select(['id', 'email']).where('id', 'in', ids).execute() : [];
  const email = new Map(rows.map((r) => [r.id, r.email]));
  table(list.map((a) => ({ time: when(a.createdAt), level: a.level, mailbox: a.mailboxId ? email.get(a.mailboxId) ?? a.mailboxId : '-', code: a.code ?? '', message: a.message })),
    ['time', 'level', 'mailbox', 'code', 'message']);
}

/** `settings set key=value …`: the value is read as the setting's type; an unknown key is refused. */
function parseSettingPairs(pairs: string[]): EmailSettingsChange {
  const change: Record<string, unknown> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new MailroomError('VALIDATION_FAILED', { message: `Write each setting as key=value, not ${pair}.` });
    const key = pair.slice(0, i);
    const raw = pair.slice(i + 1);
    const schema = (EmailSettingsSchema.properties as Record<string, { type?: string }>)[key];
    if (!schema) throw new MailroomError('INVALID_PARAMETER', { message: `${key}: This setting does not exist.`, details: [{ field: key, message: 'This setting does not exist.' }] });
    change[key] = schema.type === 'boolean' ? parseYesNo(key, raw) : schema.type === 'integer' ? integer(key)(raw) : key === 'defaultProfileId' ? nullable(raw) : raw;
  }
  return change as EmailSettingsChange;
}

export function registerSyncCommands(program: Command) {
  const settings = program.command('settings').description('Email settings (server-side synchronization, one per environment)');
  settings.command('get').option('--json').action((o: Json) => withCli(async ({ ctx }) => {
    const s = await readEmailSettings(ctx);
    if (o.json) return printJson(s);
    for (const [k, v] of Object.entries(s)) print(`${k.padEnd(28)} ${v === null ? '-' : String(v)}`);
  }));
  settings.command('set <key=value...>').description('e.g. settings set maxAttachmentKb=10240 approvedUsersOnly=no').option('--json')
    .action((pairs: string[], o: Json) => withCli(async ({ ctx }) => {
      const s = await updateEmailSettings(ctx, parseSettingPairs(pairs));
      if (o.json) printJson(s); else print('Email settings saved.');
    }));

  const profiles = program.command('profiles').description('email server profiles');
  profileOptions(profiles.command('add')).action((o: ProfileFlags) => withCli(async ({ ctx }) => {
    const actor = await actingUser(ctx, o.user);
    const p = await createProfile(ctx, actor.id, profileInput(o));
    if (o.json) printJson(p); else print(`created profile ${p.name} ${p.id} (${p.serverType}, incoming ${p.incomingHost}:${p.incomingPort}, outgoing ${p.outgoingHost}:${p.outgoingPort})`);
  }));
  profiles.command('list').option('--json').action((o: Json) => withCli(async ({ ctx }) => {
    const list = await listProfiles(ctx);
    if (o.json) return printJson(list);
    table(list.map((p) => ({ ...p, incoming: `${p.incomingHost}:${p.incomingPort}`, outgoing: `${p.outgoingHost}:${p.outgoingPort}`, default: p.isDefault ? 'yes' : '' })), ['name', 'serverType', 'incoming', 'outgoing', 'default', 'id']);
  }));
  profiles.command('show <profile>').option('--json').action((ref: string, o: Json) => withCli(async ({ ctx }) => {
    const p = await getProfile(ctx, ref);
    if (o.json) return printJson(p);
    for (const [k, v] of Object.entries(p)) {
      const shown = k === 'trustedCa' ? trustedCaSummary(p.trustedCa) : v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      print(`${k.padEnd(26)} ${shown}`);
    }
  }));
  profileOptions(profiles.command('set <profile>')).action((ref: string, o: ProfileFlags) => withCli(async ({ ctx }) => {
    const p = await updateProfile(ctx, ref, profileInput(o));
    if (o.json) printJson(p); else print(`saved profile ${p.name}`);
  }));
  profiles.command('test <profile>').description('Test connection: each server, step by step').option('--json').action((ref: string, o: Json) => withCli(async ({ ctx }) => {
    const result = await testProfileConnection(ctx, ref);
    if (o.json) printJson(result);
    else for (const s of result.servers) {
      print(`${s.channel}: ${s.ok ? 'OK' : `FAILED (${s.failure?.code}): ${s.failure?.message}`}`);
      for (const step of s.steps) print(`  ${step.ok ? 'ok  ' : 'FAIL'} ${step.step}: ${step.detail}`);
    }
    if (!result.ok) process.exitCode = 1;
  }));
  profiles.command('test-enable <profile>').description('Test and enable every mailbox of the profile (a background job; waits and shows progress)')
    .option('--user <username>').option('--json').action((ref: string, o: Json & { user?: string }) => withCli(async ({ ctx }) => {
      const actor = await actingUser(ctx, o.user);
      const { job, finished } = await startProfileTestEnable(ctx, actor.id, ref);
      if (!o.json) print(`job ${job.id}: testing ${job.total} mailbox(es)`);
      const done = await finished;
      if (o.json) printJson(done); else print(`job ${done.id} ${done.status}: ${done.succeeded} passed, ${done.failed} failed of ${done.total}`);
      if (done.failed > 0 || done.status !== 'done') process.exitCode = 1;
    }));

  const mailboxes = program.command('mailboxes').description('mailboxes of users and queues (named by id or email address)');
  mailboxes.command('list').option('--user <username>').option('--json').action((o: Json & { user?: string }) => withCli(async ({ ctx }) => {
    const list = await listMailboxes(ctx, await actingUser(ctx, o.user));
    if (o.json) printJson(list); else table(list.map(mailboxRow), ['email', 'kind', 'approval', 'incoming', 'outgoing', 'lastSuccess', 'error', 'id']);
  }));
  mailboxes.command('show <mailbox>').option('--user <username>').option('--json').action((ref: string, o: Json & { user?: string }) => withCli(async ({ ctx }) => {
    const m = toMailboxView(await getMailboxFor(ctx, await actingUser(ctx, o.user), ref), ctx.clock.now());
    if (o.json) printJson(m); else await printMailbox(ctx, m);
  }));
  mailboxes.command('set <mailbox>')
    .option('--profile <profile>', 'a profile name or id ("none" clears it)').option('--username <name>').option('--password <password>')
    .option('--incoming <sss|none>').option('--outgoing <sss|none>').option('--act <sss|none>', 'appointments, contacts and tasks')
    .option('--allow-credentials <yes|no>', 'allow the use of the credentials for email processing', yesNo('--allow-credentials'))
    .option('--delete-after-processing <yes|no>', '', yesNo('--delete-after-processing')).option('--process-after <YYYY-MM-DD>', '"none" clears it')
    .option('--user <username>', 'act as this user').option('--json')
    .action((ref: string, o: Json & { profile?: string; username?: string; password?: string; incoming?: string; outgoing?: string; act?: string; allowCredentials?: boolean; deleteAfterProcessing?: boolean; processAfter?: string; user?: string }) =>
      withCli(async ({ ctx }) => {
        // Credentials given here are meant to be used: --username/--password allow their use unless said otherwise.
        const allowCredentials = o.allowCredentials ?? (o.username !== undefined || o.password !== undefined ? true : undefined);
        const m = await updateMailbox(ctx, await actingUser(ctx, o.user), ref, {
          profile: o.profile === undefined ? undefined : nullable(o.profile), username: o.username, password: o.password,
          incoming: o.incoming, outgoing: o.outgoing, act: o.act, allowCredentials, deleteAfterProcessing: o.deleteAfterProcessing,
          processAfter: o.processAfter === undefined ? undefined : nullable(o.processAfter),
        });
        if (o.json) printJson(m); else print(`saved mailbox ${m.email}; run mailroom test-enable ${m.email} to test and enable it`);
      }));

  program.command('approve <mailbox>').description('Approve email of a mailbox (administrators and delegated mailbox approvers)')
    .option('--reject', 'reject instead').option('--user <username>', 'act as this user').option('--json')
    .action((ref: string, o: Json & { reject?: boolean; user?: string }) => withCli(async ({ ctx }) => {
      const m = await setApproval(ctx, await actingUser(ctx, o.user), ref, o.reject ? 'rejected' : 'approved');
      if (o.json) printJson(m); else print(`${m.email}: ${m.approval.status}`);
    }));
  program.command('test-enable <mailbox>').description('Test and enable a mailbox: tests each channel and enables what passed')
    .option('--user <username>', 'act as this user').option('--json')
    .action((ref: string, o: Json & { user?: string }) => withCli(async ({ ctx }) => {
      const m = await testAndEnable(ctx, await actingUser(ctx, o.user), ref);
      if (o.json) printJson(m); else await printMailbox(ctx, m);
      if (Object.values(m.channels).some((c) => c.status === 'failure')) process.exitCode = 1;
    }));
  program.command('alerts').description('your alerts wall, or one mailbox\'s alerts').option('--mailbox <mailbox>')
    .option('--user <username>', 'whose wall').option('--limit <n>', '', integer('--limit')).option('--json')
    .action((o: Json & { mailbox?: string; user?: string; limit?: number }) => withCli(async ({ ctx }) => {
      const actor = await actingUser(ctx, o.user);
      const list = o.mailbox ? await mailboxAlerts(ctx, actor, o.mailbox, o.limit) : await alertsWall(ctx, actor, o.limit);
      if (o.json) printJson(list); else if (o.mailbox) printAlerts(list); else await printWall(ctx, list);
    }));

  const approvers = program.command('approvers').description('the delegated mailbox approver role (administrators give it, to users only)');
  approvers.command('list').option('--json').action((o: Json) => withCli(async ({ ctx }) => {
    const list = await listApprovers(ctx);
    if (o.json) printJson(list); else table(list.map((a) => ({ ...a, grantedAt: when(a.grantedAt) })), ['username', 'grantedAt', 'userId']);
  }));
  approvers.command('add <user>').option('--user <username>', 'act as this administrator').option('--json').action((ref: string, o: Json & { user?: string }) => withCli(async ({ ctx }) => {
    await grantApprover(ctx, await actingUser(ctx, o.user), ref);
    if (o.json) printJson(await listApprovers(ctx)); else print(`${ref} is a delegated mailbox approver`);
  }));
  approvers.command('remove <user>').option('--user <username>', 'act as this administrator').option('--json').action((ref: string, o: Json & { user?: string }) => withCli(async ({ ctx }) => {
    await revokeApprover(ctx, await actingUser(ctx, o.user), ref);
    if (o.json) printJson(await listApprovers(ctx)); else print(`${ref} is no longer a delegated mailbox approver`);
  }));

  const q = program.command('queues').description('queues: shared mailboxes such as support@');
  const queueFlags = (cmd: Command) => cmd.option('--name <name>').option('--email <address>').option('--owner <user>')
    .option('--member <user>', 'a member (repeat for more; replaces the members)', collect).option('--active <yes|no>', '', yesNo('--active'))
    .option('--tracking <all|replies|records|email-enabled>', 'which incoming email becomes an activity').option('--user <username>').option('--json');
  type QueueFlags = Json & { name?: string; email?: string; owner?: string; member?: string[]; active?: boolean; tracking?: string; user?: string };
  const queueInput = (o: QueueFlags) => ({ name: o.name, email: o.email, owner: o.owner, members: o.member, active: o.active, tracking: o.tracking });
  queueFlags(q.command('add')).action((o: QueueFlags) => withCli(async ({ ctx }) => {
    const actor = await actingUser(ctx, o.user);
    const queue = await queues.createQueue(ctx, actor.id, queueInput(o));
    if (o.json) printJson(queue); else print(`created queue ${queue.name} <${queue.email}> ${queue.id} (mailbox ${queue.mailboxId})`);
  }));
  q.command('list').option('--json').action((o: Json) => withCli(async ({ ctx }) => {
    const list = await queues.listQueues(ctx);
    if (o.json) printJson(list); else table(list.map((x) => ({ ...x, active: x.active ? 'yes' : 'no', members: x.members.join(',') })), ['name', 'email', 'active', 'tracking', 'members', 'id']);
  }));
  q.command('show <queue>').option('--json').action((ref: string, o: Json) => withCli(async ({ ctx }) => {
    const x = await queues.getQueue(ctx, ref);
    if (o.json) return printJson(x);
    print(`${x.name} <${x.email}> ${x.active ? 'active' : 'inactive'}, tracking ${x.tracking}\n  owner ${x.ownerId}\n  members ${x.members.join(', ') || '-'}\n  mailbox ${x.mailboxId ?? '-'}`);
  }));
  queueFlags(q.command('set <queue>')).action((ref: string, o: QueueFlags) => withCli(async ({ ctx }) => {
    const x = await queues.updateQueue(ctx, ref, queueInput(o));
    if (o.json) printJson(x); else print(`saved queue ${x.name}`);
  }));
}
