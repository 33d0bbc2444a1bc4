// The seed's workflow test and "Statements to contact" from the `mailroom` command, run as child
// processes against a temporary data folder (or PostgreSQL database) and a real SMTP server.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import type { Json } from '../fixtures/api.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';
import { runCli, type CliResult } from '../fixtures/cli.ts';
import { approvalWorkflow, notificationTemplate } from './workflow-setup.ts';

async function ok(env: TestEnv, args: readonly string[]): Promise<CliResult> {
  const res = await runCli(env, args);
  assert.equal(res.code, 0, `mailroom ${args.join(' ')} exited ${res.code}: ${res.out}${res.err}`);
  return res;
}

for (const dialect of DIALECTS) {
  describe(`workflow and statements from the command line on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    const file = (name: string, value: unknown) => {
      const path = join(env.dataDir, name);
      writeFileSync(path, JSON.stringify(value));
      return path;
    };

    before(async () => {
      smtp = await startSmtpServer();
      env = await createTestEnv(dialect);
    });
    after(async () => {
      await smtp.close();
      await env.cleanup();
    });

    it('submit a workflow set up for email, find the work item in the history, the mail in the queue, then in the inbox', async () => {
      await ok(env, ['users', 'add', '--username', 'admin', '--email', 'admin@contoso.test', '--role', 'admin']);
      await ok(env, ['users', 'add', '--username', 'omar', '--email', 'omar@contoso.test']);
      await ok(env, ['users', 'add', '--username', 'june', '--email', 'june@contoso.test', '--language', 'de']);
      await ok(env, ['users', 'add', '--username', 'fiona', '--email', 'fiona@contoso.test', '--role', 'admin']);
      await ok(env, ['users', 'add', '--username', 'ken', '--email', 'ken@contoso.test']);
      await ok(env, ['options', 'set', '--user', 'ken', '--notifications', 'no']);
      await ok(env, ['params', 'set', `smtp.host=${smtp.host}`, `smtp.port=${smtp.port}`, 'smtp.sslRequired=no']);

      const bad = await runCli(env, ['templates', 'save', '--file', file('bad.json', notificationTemplate({ messages: [{ language: 'en-us', subject: '%nope%', html: '' }] })), '--json']);
      assert.equal(bad.code, 1);
      assert.equal(bad.json.error.code, 'TEMPLATE_PLACEHOLDER_UNKNOWN');
      await ok(env, ['templates', 'save', '--file', file('template.json', notificationTemplate())]);
      await ok(env, ['workflow', 'save', '--file', file('workflow.json', approvalWorkflow())]);

      const submitted = (await ok(env, ['workflow', 'submit', '--type', 'purchase-requisition', '--title', 'Office chairs', '--ref', 'PR-0001', '--user', 'omar', '--json'])).json;
      const history = (await ok(env, ['workflow', 'history', submitted.id, '--json'])).json;
      const created = history.events.find((e: Json) => e.event === 'workitem-created');
      assert.equal(created.assignee.name, 'june');
      const queue = (await ok(env, ['status', '--json'])).json as Json[];
      assert.deepEqual(queue.map((e) => e.to[0].address).sort(), ['june@contoso.test', 'omar@contoso.test']);
      assert.ok(queue.every((e) => e.status === 'waiting' && e.sender === 'workflow@contoso.test'));
      assert.equal((await ok(env, ['distribute', '--json'])).json.sent, 2);
      assert.deepEqual(smtp.mails.map((m) => m.to[0]).sort(), ['june@contoso.test', 'omar@contoso.test']);

      const [item] = (await ok(env, ['workflow', 'inbox', '--user', 'june', '--json'])).json;
      await ok(env, ['workflow', 'approve', item.id, '--user', 'june', '--comment', 'fine']);
      const refused = await runCli(env, ['workflow', 'approve', item.id, '--user', 'june', '--json']);
      assert.equal(refused.json.error.code, 'WORKFLOW_ITEM_CLOSED');
      const shown = await ok(env, ['workflow', 'history', submitted.id]);
      assert.match(shown.out, /Approved \[Manager approval\] by june/);
    });

    it('Statements to contact: the .eml carries the contact in To and a readable workbook', async () => {
      await ok(env, ['orgs', 'add', '--code', 'USMF', '--name', 'Contoso USA']);
      await ok(env, ['accounts', 'add', '--number', 'US-008', '--name', 'Sparrow Retail', '--org', 'USMF']);
      await ok(env, ['contacts', 'add', '--account', 'US-008', '--name', 'Casey Collections', '--email', 'collections@sparrow.test', '--purpose', 'Statements']);
      await ok(env, ['accounts', 'add-invoice', 'US-008', '--number', 'INV-1001', '--date', '2026-01-15', '--due', '2026-02-14', '--amount', '250.75']);
      await ok(env, ['templates', 'save', '--org', 'USMF', '--file', file('statement.json', {
        emailId: 'STATEMENT', kind: 'statement', senderEmail: 'collections@contoso.test', defaultLanguage: 'en-us',
        messages: [{ language: 'en-us', subject: 'Statement for %customer.name%', html: '<p>Open: %statement.total%</p>' }],
      })]);
      const draft = (await ok(env, ['statement', 'US-008', '--draft', '--as-of', '2026-03-01', '--json'])).json;
      assert.deepEqual(draft.draft.to, ['"Casey Collections" <collections@sparrow.test>']);
      const out = join(env.dataDir, 'statement.eml');
      await ok(env, ['statement', 'US-008', '--as-of', '2026-03-01', '--provider', 'eml', '--out', out]);
      const parsed = await simpleParser(readFileSync(out));
      assert.equal(parsed.subject, 'Statement for Sparrow Retail');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(parsed.attachments[0]!.content as unknown as ArrayBuffer);
      assert.equal(workbook.getWorksheet('Statement')!.getCell('E7').value, 250.75);
    });
  });
}
