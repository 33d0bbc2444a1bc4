// The seed's "Statements to contact" scenario: US-008 Sparrow Retail, its Statements contact,
// the generated workbook attached; through the email app (.eml) and through SMTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { addAccountInvoice, createAccount } from '../../src/crm/accounts.service.ts';
import { createContact } from '../../src/crm/contacts.service.ts';
import { createOrganization } from '../../src/crm/organizations.service.ts';
import { HEADER_ROW } from '../../src/crm/statement-workbook.ts';
import { sendStatement, statementDraft } from '../../src/crm/statements.service.ts';
import type { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import { createTemplate, type TemplateInput } from '../../src/templates/templates.service.ts';
import { grantSendAs, setOptions, type User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, ManualClock, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { newRegistry, pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { startSmtpServer, type RunningSmtpServer } from '../fixtures/smtp-server.ts';

const template: TemplateInput = {
  emailId: 'STATEMENT', kind: 'statement', senderName: 'Contoso Collections', senderEmail: 'collections@contoso.test', defaultLanguage: 'en-us',
  messages: [{
    language: 'en-us', subject: 'Statement %statement.date% for %customer.name%',
    html: '<p>Dear %contact.name%,</p><ul><!--%tablebegin.invoice%--><li>%invoice.number% due %invoice.due%: %invoice.open%</li><!--%tableend.invoice%--></ul><p>Open: %statement.total% %currency%</p><p>%sender%, %company%</p>',
  }],
};

async function workbookOf(parsed: ParsedMail) {
  const attachment = parsed.attachments.find((a) => a.filename?.endsWith('.xlsx'));
  assert.ok(attachment, 'the workbook is attached');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(attachment.content as unknown as ArrayBuffer);
  return { attachment, sheet: workbook.getWorksheet('Statement')! };
}

for (const dialect of DIALECTS) {
  describe(`statements to contact on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let smtp: RunningSmtpServer;
    let providers: ProviderRegistry;
    let alice: User;

    before(async () => {
      env = await createTestEnv(dialect, { clock: new ManualClock(Date.UTC(2026, 10, 23, 9)) });
      smtp = await startSmtpServer();
      ({ alice } = await seedUsers(env.ctx));
      await pointSmtpAt(env.ctx, smtp);
      providers = newRegistry(env.ctx);
      await createOrganization(env.ctx, { code: 'USMF', name: 'Contoso USA' });
      await createTemplate(env.ctx, 'USMF', template);
      await createAccount(env.ctx, alice, { accountNumber: 'US-008', name: 'Sparrow Retail', organization: 'USMF' });
      await createContact(env.ctx, alice, { account: 'US-008', name: 'Pat Buyer', emails: ['pat@sparrow.test'], purpose: 'Purchasing' });
      await createContact(env.ctx, alice, { account: 'US-008', name: 'Former Collections', emails: ['old@sparrow.test'], purpose: 'Statements', state: 'inactive' });
      await createContact(env.ctx, alice, { account: 'US-008', name: 'Casey Collections', emails: ['collections@sparrow.test', 'casey@sparrow.test'], purpose: 'Statements' });
      await addAccountInvoice(env.ctx, alice, 'US-008', { number: 'INV-1001', invoiceDate: '2026-09-15', dueDate: '2026-10-15', amount: 1200, open: 450.5 });
      await addAccountInvoice(env.ctx, alice, 'US-008', { number: 'INV-1002', invoiceDate: '2026-10-20', dueDate: '2026-11-19', amount: 784 });
      await addAccountInvoice(env.ctx, alice, 'US-008', { number: 'INV-0999', invoiceDate: '2026-08-01', dueDate: '2026-08-31', amount: 300, open: 0 });
      await addAccountInvoice(env.ctx, alice, 'US-008', { number: 'INV-1003', invoiceDate: '2026-12-01', dueDate: '2026-12-31', amount: 99 });
    });
    after(async () => {
      await providers.close();
      await smtp.close();
      await env.cleanup();
    });

    it('prefills the Send email dialog: To the active Statements contact\'s primary address, the template\'s text, the workbook attached', async () => {
      const { draft, attachments } = await statementDraft(env.ctx, alice, 'us-008');
      assert.deepEqual(draft.to, ['"Casey Collections" <collections@sparrow.test>']);
      assert.equal(draft.subject, 'Statement 2026-11-23 for Sparrow Retail');
      assert.equal(draft.from, 'alice@contoso.test', 'without a Send-As grant for the template sender, the user\'s own address');
      assert.deepEqual(draft.attachments.map((a) => a.filename), ['Statement US-008 2026-11-23.xlsx']);
      assert.equal(attachments[0]!.contentBase64.length > 0, true);
      assert.ok(draft.html.includes('<li>INV-1001 due 2026-10-15: 450.50</li><li>INV-1002 due 2026-11-19: 784.00</li>'));
      assert.ok(!draft.html.includes('INV-0999'), 'paid invoices are not on the statement');
      assert.ok(!draft.html.includes('INV-1003'), 'invoices after the statement date are not on it');
      assert.ok(draft.html.includes('Open: 1,234.50 USD'));
      assert.ok(draft.html.includes('Alice Example, Contoso USA'));
      assert.equal(draft.ask, true, 'the user has no provider set: the dialog asks');
    });

    it('"Use an email app": the .eml opens with the contact in To and a workbook exceljs can read', async () => {
      await grantSendAs(env.ctx, alice.id, 'collections@contoso.test');
      const result = await sendStatement(env.ctx, providers, alice, 'US-008', { provider: 'eml' });
      assert.equal(result.email.status, 'generated');
      const parsed = await simpleParser(result.eml!);
      assert.equal(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.address : '', 'collections@sparrow.test');
      assert.equal(parsed.from?.value[0]?.address, 'collections@contoso.test');
      const { attachment, sheet } = await workbookOf(parsed);
      assert.equal(attachment.contentType, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.equal(sheet.getCell('B2').value, 'US-008');
      assert.equal(sheet.getCell(`A${HEADER_ROW + 1}`).value, 'INV-1001');
      assert.equal(sheet.getCell(`E${HEADER_ROW + 1}`).value, 450.5);
      assert.equal(sheet.getCell(`A${HEADER_ROW + 2}`).value, 'INV-1002');
      assert.equal(sheet.getCell(`A${HEADER_ROW + 3}`).value, 'Total');
      assert.equal(sheet.getCell(`E${HEADER_ROW + 3}`).value, 1234.5);
      assert.equal(smtp.mails.length, 0, 'the email app sends nothing itself');
    });

    it('"Use the system email client": the edited To, subject and body go out over SMTP now, with the workbook', async () => {
      await setOptions(env.ctx, alice.id, { providerId: 'smtp' });
      const result = await sendStatement(env.ctx, providers, alice, 'US-008', {
        edits: { to: 'me@alice-home.test', subject: 'Your statement', body: 'See the workbook.' },
      });
      assert.equal(result.email.status, 'sent');
      assert.equal(result.eml, undefined);
      const [mail] = await smtp.waitForMails(1);
      assert.deepEqual(mail!.to, ['me@alice-home.test']);
      const parsed = await simpleParser(mail!.raw);
      assert.equal(parsed.subject, 'Your statement');
      assert.equal(parsed.text?.trim(), 'See the workbook.');
      const { sheet } = await workbookOf(parsed);
      assert.equal(sheet.getCell(`A${HEADER_ROW + 1}`).value, 'INV-1001');
    });

    it('refuses an account without an active Statements contact, with a code', async () => {
      await createAccount(env.ctx, alice, { accountNumber: 'US-009', name: 'No Contact Inc', organization: 'USMF' });
      await assert.rejects(statementDraft(env.ctx, alice, 'US-009'), { code: 'STATEMENT_NO_CONTACT' });
      const typed = await sendStatement(env.ctx, providers, alice, 'US-009', { provider: 'eml', edits: { to: 'ap@nocontact.test' } });
      assert.equal(typed.email.to[0]!.address, 'ap@nocontact.test');
    });
  });
}
