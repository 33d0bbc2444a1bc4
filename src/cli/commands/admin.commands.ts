import { readTrackingOptions, setTrackingOptions } from '../../sync/tracking-options.service.ts';
import type { Command } from 'commander';
import { distributorStatus, updateDistributorSettings } from '../../outbound/distributor-settings.ts';
import { Value } from '@sinclair/typebox/value';
import { ParametersBody } from '../../api/schemas.ts';
import { readParameters, StoredParametersSchema, toPublic, updateParameters, type ParametersChange } from '../../outbound/email-parameters.ts';
import { MailroomError } from '../../errors.ts';
import type { ProviderId, Role } from '../../store/tables.ts';
import * as users from '../../users/users.service.ts';
import { withCli } from '../cli-context.ts';
import { parseDays, parseYesNo } from '../cli-options.ts';
import { print, printJson, table, when } from '../output.ts';

// Keys whose values stay text even when they look like a number or a yes/no.
const TEXT_KEYS = new Set(['password', 'username', 'host', 'clientSecret', 'clientId', 'tenantId', 'domain', 'batchAccount']);

/**
 * key=value pairs with dotted keys (smtp.host=…) into a nested change; numbers and booleans
 * typed. Every key must be a parameter the API knows (unknown ones are refused with the list of
 * known ones), so the parser never walks into an object's prototype.
 */
export function parseAssignments(pairs: readonly string[]): ParametersChange {
  const change: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new MailroomError('INVALID_PARAMETER', { message: `Write parameters as key=value, not "${pair}".` });
    const path = pair.slice(0, eq).split('.');
    const raw = pair.slice(eq + 1);
    const leaf = leafOf(path);
    const value = TEXT_KEYS.has(path.at(-1)!) || leaf.type === 'string'
      ? raw
      : raw === 'true' || raw === 'yes' ? true : raw === 'false' || raw === 'no' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
    let node = change;
    for (const key of path.slice(0, -1)) {
      if (!Object.hasOwn(node, key)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  const problem = [...Value.Errors(ParametersBody, change)][0];
  if (problem) {
    const field = problem.path.replace(/^\//, '').replace(/\//g, '.');
    throw new MailroomError('INVALID_PARAMETER', { message: `${field}: ${problem.message}.`, details: { field } });
  }
  return change as ParametersChange;
}

interface SchemaNode { readonly type?: string; readonly properties?: Record<string, SchemaNode> }

/** The schema of the parameter a dotted path names; refuses a path that names none. */
function leafOf(path: readonly string[]): SchemaNode {
  let node = ParametersBody as SchemaNode;
  let stored = StoredParametersSchema as SchemaNode | undefined;
  for (const [i, key] of path.entries()) {
    // The throttle is a record in the API's body; its keys are the stored parameter's.
    const properties = node.properties ?? stored?.properties;
    const where = path.slice(0, i).join('.');
    if (!properties || !Object.hasOwn(properties, key)) {
      const known = properties ? Object.keys(properties).map((k) => (where ? `${where}.${k}` : k)) : [];
      const name = path.slice(0, i + 1).join('.');
      throw new MailroomError('INVALID_PARAMETER', {
        message: known.length ? `Unknown parameter ${name}. Known: ${known.join(', ')}.` : `${where} takes a value, not ${name}.`,
        details: { field: name, known },
      });
    }
    node = properties[key]!;
    stored = stored?.properties?.[key];
  }
  if (node.properties) {
    const name = path.join('.');
    throw new MailroomError('INVALID_PARAMETER', { message: `${name} is a group: set one of ${Object.keys(node.properties).map((k) => `${name}.${k}`).join(', ')}.`, details: { field: name } });
  }
  return node;
}

export function registerAdminCommands(program: Command) {
  const params = program.command('params').description('email parameters');
  params.command('get').option('--json', 'machine-readable output').action((o: { json?: boolean }) => withCli(async ({ ctx }) => {
    const p = toPublic(await readParameters(ctx));
    if (o.json) return printJson(p);
    print(`batch email provider     ${p.batchProvider}`);
    print(`attachment size limit    ${p.attachmentSizeLimitMb} MB`);
    print(`recipient limit          ${p.recipientLimit} per email`);
    print(`email expiration         ${p.expirationDays} days (in effect: ${p.effective.expirationDays})`);
    print(`history retention        ${p.historyRetentionDays} days (in effect: ${p.effective.historyRetentionDays})`);
    print(`throttle per minute      ${Object.entries(p.effective.throttle).map(([k, v]) => `${k}=${v || 'none'}`).join(' ')}${p.effective.smtpLimitAutomatic ? ' (smtp set for Office 365)' : ''}`);
    print(`smtp                     ${p.smtp.host || '(not set)'}:${p.smtp.port} ssl=${p.smtp.sslRequired} auth=${p.smtp.authRequired} user=${p.smtp.username || '-'} password=${p.smtp.passwordSet ? 'set' : 'not set'} verify-cert=${p.smtp.verifyCertificate}`);
    print(`graph                    ${p.graph.configured ? 'configured' : 'not configured'} tenant=${p.graph.tenantId || '-'} app=${p.graph.clientId || '-'} secret=${p.graph.clientSecretSet ? 'set' : 'not set'} authority=${p.graph.authorityHost} endpoint=${p.graph.graphEndpoint} save-to-sent=${p.graph.saveToSentItems} batch-account=${p.graph.batchAccount || '-'}`);
    print(`exchange                 ${p.exchange.configured ? 'configured' : 'not configured'} ews=${p.exchange.ewsUrl || (p.exchange.autodiscover ? 'autodiscover' : '-')} auth=${p.exchange.authentication} user=${p.exchange.username || '-'} password=${p.exchange.passwordSet ? 'set' : 'not set'} impersonation=${p.exchange.impersonation} batch-account=${p.exchange.batchAccount || '-'}`);
    for (const w of p.warnings) print(`warning: ${w.message}`);
  }));
  params.command('set <assignments...>').description('e.g. smtp.host=mail.example.com smtp.port=587 throttle.smtp=60 graph.tenantId=… graph.clientId=… graph.clientSecret=… exchange.ewsUrl=https://mail.example.com/EWS/Exchange.asmx; smtp.password= clears it')
    .option('--json', 'machine-readable output')
    .action((pairs: string[], o: { json?: boolean }) => withCli(async ({ ctx }) => {
      const p = toPublic(await updateParameters(ctx, parseAssignments(pairs)));
      if (o.json) return printJson(p);
      print('saved');
      for (const w of p.warnings) print(`warning: ${w.message}`);
    }));

  const distributor = program.command('distributor').description('email distributor batch settings');
  distributor.command('get').option('--json').action((o: { json?: boolean }) => withCli(async ({ ctx }) => {
    const s = await distributorStatus(ctx);
    if (o.json) return printJson(s);
    print(`batch processing ${s.enabled ? 'on' : 'off'}, every ${s.recurrenceSeconds} s; last run ${when(s.lastRun?.at)}; next run ${when(s.nextRunAt)}`);
  }));
  distributor.command('set').option('--enabled <yes|no>').option('--recurrence <seconds>').option('--json')
    .action((o: { enabled?: string; recurrence?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const s = await updateDistributorSettings(ctx, {
        ...(o.enabled !== undefined ? { enabled: parseYesNo('--enabled', o.enabled) } : {}),
        ...(o.recurrence !== undefined ? { recurrenceSeconds: Number(o.recurrence) } : {}),
      });
      if (o.json) printJson(s); else print('saved');
    }));

  const u = program.command('users').description('users, Send-As grants and API tokens');
  u.command('add').requiredOption('--username <name>').requiredOption('--email <address>')
    .option('--name <name>').option('--role <role>', 'admin or user', 'user').option('--password <password>').option('--language <code>').option('--json')
    .action((o: { username: string; email: string; name?: string; role: string; password?: string; language?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const user = await users.createUser(ctx, { ...o, role: o.role as Role });
      if (o.json) printJson(user); else print(`created ${user.username} (${user.role}) ${user.id}`);
    }));
  u.command('list').option('--json').action((o: { json?: boolean }) => withCli(async ({ ctx }) => {
    const list = await users.listUsers(ctx);
    if (o.json) printJson(list); else table(list, ['username', 'name', 'email', 'role', 'language', 'id']);
  }));
  u.command('set <user>').option('--email <address>').option('--name <name>').option('--role <role>').option('--password <password>').option('--language <code>').option('--json')
    .action((who: string, o: { email?: string; name?: string; role?: string; password?: string; language?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const user = await users.updateUser(ctx, (await users.findUser(ctx, who)).id, { ...o, role: o.role as Role | undefined });
      if (o.json) printJson(user); else print(`saved ${user.username}`);
    }));
  u.command('grant-send-as <user> <address>').action((who: string, address: string) => withCli(async ({ ctx }) => {
    await users.grantSendAs(ctx, (await users.findUser(ctx, who)).id, address);
    print(`granted ${who} Send-As ${address}`);
  }));
  u.command('revoke-send-as <user> <address>').action((who: string, address: string) => withCli(async ({ ctx }) => {
    await users.revokeSendAs(ctx, (await users.findUser(ctx, who)).id, address);
    print(`revoked ${who} Send-As ${address}`);
  }));
  u.command('token <user>').description('create an API token (printed once)').option('--name <name>', 'label', 'cli')
    .option('--expires-in-days <days>', 'days until the token stops working (default: until revoked)')
    .action((who: string, o: { name: string; expiresInDays?: string }) => withCli(async ({ ctx }) => {
      const expiresInDays = o.expiresInDays === undefined ? undefined : parseDays(o.expiresInDays);
      print((await users.createApiToken(ctx, (await users.findUser(ctx, who)).id, { name: o.name, expiresInDays })).token);
    }));

  const options = program.command('options').description('user options: sending, and personal email options for incoming mail');
  options.command('set')
    .requiredOption('--user <username>')
    .option('--provider <id>', 'email provider ID: smtp, eml, or "ask" for the blank "ask each time"')
    .option('--sender-email <address>', 'override of the From address ("" clears)')
    .option('--do-not-ask-again <yes|no>')
    .option('--notifications <yes|no>', 'send notifications in email')
    .option('--tracking <all|replies|records|email-enabled>', 'which incoming email of the user\'s mailbox becomes an activity')
    .option('--auto-create <yes|no>', 'create a contact (or lead) for an unresolved sender of tracked email')
    .option('--create-as <contact|lead>', 'what --auto-create creates (default contact)')
    .option('--json')
    .action((o: { user: string; provider?: string; senderEmail?: string; doNotAskAgain?: string; notifications?: string; tracking?: string; autoCreate?: string; createAs?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const userId = (await users.findUser(ctx, o.user)).id;
      const outbound = {
        ...(o.provider !== undefined ? { providerId: o.provider === 'ask' || o.provider === '' ? null : (o.provider as ProviderId) } : {}),
        ...(o.senderEmail !== undefined ? { senderEmail: o.senderEmail || null } : {}),
        ...(o.doNotAskAgain !== undefined ? { doNotAskAgain: parseYesNo('--do-not-ask-again', o.doNotAskAgain) } : {}),
        ...(o.notifications !== undefined ? { sendNotificationsInEmail: parseYesNo('--notifications', o.notifications) } : {}),
      };
      const incoming = {
        ...(o.tracking !== undefined ? { tracking: o.tracking } : {}),
        ...(o.autoCreate !== undefined ? { autoCreate: parseYesNo('--auto-create', o.autoCreate) } : {}),
        ...(o.createAs !== undefined ? { createAs: o.createAs } : {}),
      };
      // Incoming options are checked first: a refused value saves nothing of either kind.
      const tracking = Object.keys(incoming).length ? await setTrackingOptions(ctx, userId, incoming) : await readTrackingOptions(ctx, userId);
      const sending = Object.keys(outbound).length || !Object.keys(incoming).length ? await users.setOptions(ctx, userId, outbound) : await users.getOptions(ctx, userId);
      if (o.json) printJson({ ...sending, email: tracking }); else print('saved');
    }));
  options.command('show').requiredOption('--user <username>').option('--json')
    .action((o: { user: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const userId = (await users.findUser(ctx, o.user)).id;
      const sending = await users.getOptions(ctx, userId);
      const email = await readTrackingOptions(ctx, userId);
      if (o.json) return printJson({ ...sending, email });
      // The text lists the personal email options as the flags of `options set` name them.
      const rows = { ...sending, tracking: email.tracking, autoCreate: email.autoCreate, createAs: email.createAs };
      for (const [k, v] of Object.entries(rows)) print(`${k.padEnd(26)} ${v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    }));
}
