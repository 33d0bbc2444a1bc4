import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import * as organizations from '../../crm/organizations.service.ts';
import { sendStatement, statementDraft } from '../../crm/statements.service.ts';
import { actingUser, withCli } from '../cli-context.ts';
import { print, printEmail, printJson, table } from '../output.ts';
import { collect } from '../cli-options.ts';

export function registerCrmCommands(program: Command) {
  const orgs = program.command('orgs').description('organizations (legal entities)');
  orgs.command('list').option('--json').action((o: { json?: boolean }) => withCli(async ({ ctx }) => {
    const list = await organizations.listOrganizations(ctx);
    if (o.json) printJson(list); else table(list, ['code', 'name', 'id']);
  }));
  orgs.command('add').requiredOption('--code <code>').requiredOption('--name <name>').option('--json')
    .action((o: { code: string; name: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const org = await organizations.createOrganization(ctx, o);
      if (o.json) printJson(org); else print(`created ${org.code} ${org.id}`);
    }));
  orgs.command('rename <org> <name>').action((org: string, name: string) => withCli(async ({ ctx }) => {
    print(`renamed ${(await organizations.renameOrganization(ctx, org, name)).code}`);
  }));
  orgs.command('delete <org>').action((org: string) => withCli(async ({ ctx }) => {
    await organizations.deleteOrganization(ctx, org);
    print(`deleted ${org}`);
  }));

  program.command('statement <account>').description('Statements to contact: --draft shows the prefilled dialog; otherwise send with --provider eml (writes the .eml) or smtp')
    .option('--draft', 'show the prefilled Send email dialog only').option('--as-of <YYYY-MM-DD>').option('--template <emailId>')
    .option('--provider <id>', 'eml or smtp (default: your email provider option)').option('--out <file.eml>', 'where the .eml goes (default: standard output)')
    .option('--to <address>', 'replace the prefilled recipient (repeat for more)', collect).option('--subject <text>').option('--body <text>')
    .option('--user <username>').option('--json')
    .action((ref: string, o: { draft?: boolean; asOf?: string; template?: string; provider?: string; out?: string; to?: string[]; subject?: string; body?: string; user?: string; json?: boolean }) =>
      withCli(async ({ ctx, providers }) => {
        const actor = await actingUser(ctx, o.user);
        const options = { asOf: o.asOf, templateEmailId: o.template };
        if (o.draft) {
          const d = await statementDraft(ctx, actor, ref, options);
          if (o.json) return printJson(d);
          print(`From: ${d.draft.from}\nTo: ${[d.draft.to].flat().join(', ')}\nSubject: ${d.draft.subject}\nAttachments: ${d.draft.attachments.map((a) => `${a.filename} (${a.size} bytes)`).join(', ')}`);
          return;
        }
        const result = await sendStatement(ctx, providers, actor, ref, { ...options, provider: o.provider, edits: { to: o.to, subject: o.subject, body: o.body } });
        if (result.eml && o.out) { writeFileSync(o.out, result.eml); print(`wrote ${o.out}`); return; }
        if (result.eml) { process.stdout.write(result.eml); return; }
        if (o.json) printJson(result.email); else printEmail(result.email);
      }));
}
