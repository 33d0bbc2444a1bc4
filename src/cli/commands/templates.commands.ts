import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MailroomError } from '../../errors.ts';
import { listKinds, TEMPLATE_KINDS, type TemplateKind } from '../../templates/template-kinds.ts';
import * as templates from '../../templates/templates.service.ts';
import { withCli } from '../cli-context.ts';
import { print, printJson, table } from '../output.ts';

/** A JSON file with an Email ID, kind, sender, default language and messages (see GET /api/template-kinds). */
export function readJsonFile<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new MailroomError('VALIDATION_FAILED', { message: `${file} is not readable JSON: ${(err as Error).message}`, cause: err });
  }
}

export function registerTemplateCommands(program: Command) {
  const t = program.command('templates').description('system and organization email templates');

  t.command('kinds').description('kinds of template and the placeholders each offers').option('--json')
    .action((o: { json?: boolean }) => {
      if (o.json) return printJson(listKinds());
      for (const k of listKinds()) {
        print(`${k.kind}: ${k.description}`);
        for (const p of k.placeholders) print(`  %${p.name}%  ${p.description}`);
        for (const [name, table] of Object.entries(k.tables)) {
          print(`  <!--%tablebegin.${name}%--> … <!--%tableend.${name}%-->  ${table.description}`);
          for (const c of table.columns) print(`    %${c.name}%  ${c.description}`);
        }
      }
    });

  t.command('list').option('--system', 'system email templates only').option('--org <code>', 'one organization\'s templates')
    .option('--kind <kind>', TEMPLATE_KINDS.join(', ')).option('--json')
    .action((o: { system?: boolean; org?: string; kind?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const list = await templates.listTemplates(ctx, { organization: o.org ?? (o.system ? null : undefined), kind: o.kind as TemplateKind | undefined });
      if (o.json) return printJson(list);
      table(list.map((x) => ({ ...x, languages: x.messages.map((m) => m.language).join(','), organization: x.organizationId ?? '(system)' })),
        ['emailId', 'kind', 'organization', 'senderEmail', 'defaultLanguage', 'languages', 'priority', 'id']);
    }));

  t.command('show <id>').option('--json').action((id: string, o: { json?: boolean }) => withCli(async ({ ctx }) => {
    const x = await templates.getTemplate(ctx, id);
    if (o.json) return printJson(x);
    print(`${x.emailId} (${x.kind}, ${x.scope}) from ${x.senderName} <${x.senderEmail}>, default ${x.defaultLanguage}, priority ${x.priority}`);
    for (const m of x.messages) print(`  [${m.language}] ${m.subject}  (${m.html.length} characters of HTML)`);
  }));

  t.command('save').description('create a template from a JSON file, or replace one (--id)')
    .requiredOption('--file <template.json>').option('--org <code>', 'an organization template (default: a system template)')
    .option('--id <id>', 'replace this template').option('--json')
    .action((o: { file: string; org?: string; id?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const input = readJsonFile<templates.TemplateInput>(o.file);
      const saved = o.id ? await templates.updateTemplate(ctx, o.id, input) : await templates.createTemplate(ctx, o.org ?? null, input);
      if (o.json) printJson(saved); else print(`saved ${saved.emailId} ${saved.id}`);
    }));

  t.command('delete <id>').action((id: string) => withCli(async ({ ctx }) => {
    await templates.deleteTemplate(ctx, id);
    print(`deleted ${id}`);
  }));

  t.command('preview <id>').description('the template filled with sample data').option('--language <code>').option('--json')
    .action((id: string, o: { language?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const p = await templates.previewTemplate(ctx, id, { language: o.language });
      if (o.json) return printJson(p);
      print(`From: ${p.from ?? '(the sending user)'}`);
      print(`Subject: ${p.subject}  [${p.language}]`);
      print('');
      print(p.html);
    }));

  t.command('test-send <id>').description('queue the template with sample data to one address').requiredOption('--to <address>')
    .option('--language <code>').option('--json')
    .action((id: string, o: { to: string; language?: string; json?: boolean }) => withCli(async ({ ctx }) => {
      const email = await templates.testSendTemplate(ctx, id, { to: o.to, language: o.language });
      if (o.json) printJson(email); else print(`queued ${email.id}; run "mailroom distribute" or let the distributor send it`);
    }));
}
