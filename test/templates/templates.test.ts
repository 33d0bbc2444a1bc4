import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { createOrganization } from '../../src/crm/organizations.service.ts';
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { getEmail, listQueue } from '../../src/outbound/outbound.service.ts';
import { renderTemplate } from '../../src/templates/template-render.ts';
import {
  createTemplate, findTemplate, getTemplate, listTemplates, previewTemplate, testSendTemplate, updateTemplate, type TemplateInput,
} from '../../src/templates/templates.service.ts';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { useOutboundWorld } from '../fixtures/outbound-world.ts';

const statementTemplate = (overrides: Partial<TemplateInput> = {}): TemplateInput => ({
  emailId: 'STATEMENT', kind: 'statement', description: 'Customer statement', senderName: 'Contoso Collections',
  senderEmail: 'collections@contoso.test', defaultLanguage: 'en-us', priority: 'high',
  messages: [
    {
      language: 'en-us', subject: 'Statement for %customer.name% (%customer.account%)',
      html: '<p>Dear %contact.name%,</p><table><!--%tablebegin.invoice%--><tr><td>%invoice.number%</td><td>%invoice.open%</td></tr><!--%tableend.invoice%--></table><p>Total %statement.total% %currency%, 100%% due.</p>',
    },
    { language: 'de', subject: 'Kontoauszug für %customer.name%', html: '<p>Sehr geehrte(r) %contact.name%,</p>' },
  ],
  ...overrides,
});

for (const dialect of DIALECTS) {
  describe(`email templates on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    const world = useOutboundWorld(dialect);

    it('picks the message in the recipient\'s language, else the default language', async () => {
      const template = await createTemplate(world.ctx, null, statementTemplate());
      const data = { values: { 'customer.name': 'Sparrow Retail', 'customer.account': 'US-008', 'contact.name': 'Casey' } };
      assert.equal(renderTemplate(template, 'de', data).language, 'de');
      assert.equal(renderTemplate(template, 'de', data).subject, 'Kontoauszug für Sparrow Retail');
      assert.equal(renderTemplate(template, 'DE', data).language, 'de');
      const fallback = renderTemplate(template, 'fr-fr', data);
      assert.equal(fallback.language, 'en-us');
      assert.equal(fallback.subject, 'Statement for Sparrow Retail (US-008)');
      assert.equal(renderTemplate(template, null, data).language, 'en-us');
    });

    it('repeats the line-item block once per row and keeps %% as a percent sign', async () => {
      const template = (await findTemplate(world.ctx, null, 'STATEMENT'))!;
      const mail = renderTemplate(template, 'en-us', {
        values: { 'statement.total': '300.00', currency: 'USD' },
        tables: { invoice: [{ 'invoice.number': 'INV-1', 'invoice.open': '100.00' }, { 'invoice.number': 'INV-2', 'invoice.open': '200.00' }] },
      });
      assert.equal((mail.html.match(/<tr>/g) ?? []).length, 2);
      assert.ok(mail.html.includes('<td>INV-1</td><td>100.00</td>'));
      assert.ok(mail.html.includes('<td>INV-2</td><td>200.00</td>'));
      assert.ok(mail.html.includes('100% due'));
      assert.ok(!mail.html.includes('tablebegin'));
    });

    it('leaves percent-encoding in links alone', () => {
      const html = '<a href="https://example.test/caf%C3%A9?q=%E2%80%99%2F">%customer.name%</a> 50%';
      const template = { ...statementTemplate(), id: 'x', scope: 'system' as const, organizationId: null, priority: 'normal' as const, description: '', senderName: '', senderEmail: '',
        createdAt: 0, updatedAt: 0, messages: [{ language: 'en-us', subject: 's', html }] };
      const mail = renderTemplate(template, 'en-us', { values: { 'customer.name': 'Sparrow' } });
      assert.equal(mail.html, '<a href="https://example.test/caf%C3%A9?q=%E2%80%99%2F">Sparrow</a> 50%');
    });

    it('escapes values in HTML so a value cannot add markup', async () => {
      const template = (await findTemplate(world.ctx, null, 'STATEMENT'))!;
      const mail = renderTemplate(template, 'en-us', {
        values: { 'contact.name': '<script>alert("x")</script> & Co', 'customer.name': 'A\r\nBcc: evil@example.test' },
      });
      assert.ok(mail.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'));
      assert.ok(!mail.html.includes('<script>'));
      assert.ok(!/[\r\n]/.test(mail.subject), 'a value cannot break the subject line');
    });

    it('refuses unknown placeholders and broken blocks when the template is saved, with a code', async () => {
      const cases: [Partial<TemplateInput>, string, unknown][] = [
        [{ emailId: 'BAD1', messages: [{ language: 'en-us', subject: 'Hi %customer.nmae%', html: '' }] }, 'TEMPLATE_PLACEHOLDER_UNKNOWN', ['customer.nmae']],
        [{ emailId: 'BAD2', messages: [{ language: 'en-us', subject: 's', html: '<p>%invoice.number%</p>' }] }, 'TEMPLATE_PLACEHOLDER_UNKNOWN', ['invoice.number']],
        [{ emailId: 'BAD3', messages: [{ language: 'en-us', subject: 's', html: '<!--%tablebegin.invoice%-->%invoice.number%' }] }, 'TEMPLATE_BLOCK_INVALID', undefined],
        [{ emailId: 'BAD4', messages: [{ language: 'en-us', subject: 's', html: '<!--%tablebegin.salesline%--><!--%tableend.salesline%-->' }] }, 'TEMPLATE_BLOCK_INVALID', undefined],
        [{ emailId: 'BAD5', messages: [{ language: 'de', subject: 's', html: '' }] }, 'TEMPLATE_LANGUAGE_MISSING', undefined],
        [{ emailId: 'BAD6', senderEmail: 'not an address' }, 'TEMPLATE_SENDER_INVALID', undefined],
        [{ emailId: 'BAD7', kind: 'workflow', senderEmail: '', messages: [{ language: 'en-us', subject: '%subject%', html: '%message%' }] }, 'TEMPLATE_SENDER_INVALID', undefined],
      ];
      for (const [overrides, code, names] of cases) {
        await assert.rejects(createTemplate(world.ctx, null, statementTemplate(overrides)), (err: { code?: string; details?: { placeholders?: string[] } }) => {
          assert.equal(err.code, code, String(overrides.emailId));
          if (names) assert.deepEqual(err.details?.placeholders, names);
          return true;
        });
      }
      const stored = (await listTemplates(world.ctx, { organization: null })).map((t) => t.emailId);
      assert.deepEqual(stored, ['STATEMENT']);
      const template = (await findTemplate(world.ctx, null, 'STATEMENT'))!;
      await assert.rejects(updateTemplate(world.ctx, template.id, statementTemplate({ messages: [{ language: 'en-us', subject: '%nope%', html: '' }] })), { code: 'TEMPLATE_PLACEHOLDER_UNKNOWN' });
      assert.equal((await getTemplate(world.ctx, template.id)).messages.length, 2, 'a refused update changes nothing');
    });

    it('keeps system and organization templates apart: the same Email ID in each store', async () => {
      const org = await createOrganization(world.ctx, { code: 'usmf', name: 'Contoso USA' });
      const own = await createTemplate(world.ctx, 'USMF', statementTemplate({ senderEmail: 'ar@usmf.contoso.test' }));
      assert.equal(own.scope, 'organization');
      assert.equal(own.organizationId, org.id);
      await assert.rejects(createTemplate(world.ctx, org.id, statementTemplate()), { code: 'CONFLICT' });
      assert.equal((await findTemplate(world.ctx, org.id, 'STATEMENT'))!.senderEmail, 'ar@usmf.contoso.test');
      assert.equal((await findTemplate(world.ctx, null, 'STATEMENT'))!.senderEmail, 'collections@contoso.test');
    });

    it('previews with sample data and test-sends through the queue from the template\'s sender', async () => {
      const template = (await findTemplate(world.ctx, null, 'STATEMENT'))!;
      const preview = await previewTemplate(world.ctx, template.id, { language: 'en-us' });
      assert.equal(preview.subject, 'Statement for Sparrow Retail (US-008)');
      assert.equal((preview.html.match(/<tr>/g) ?? []).length, 2);
      // Sample rows read like invoices, and their open amounts add up to the total shown.
      const rows = [...preview.html.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m): [string, string] => [m[1]!, m[2]!]);
      assert.deepEqual(rows.map(([number]) => number), ['INV-1001', 'INV-1007']);
      assert.ok(rows.every(([number, open]) => /^INV-\d+$/.test(number) && /^[\d,]+\.\d\d$/.test(open)), JSON.stringify(rows));
      const sum = rows.reduce((s, [, open]) => s + Number(open.replace(/,/g, '')), 0);
      const total = /Total ([\d,.]+) USD/.exec(preview.html)![1]!;
      assert.equal(sum.toFixed(2), total.replace(/,/g, ''));
      assert.equal(preview.from, '"Contoso Collections" <collections@contoso.test>');

      const email = await testSendTemplate(world.ctx, template.id, { to: 'reviewer@fabrikam.test', language: 'de' });
      assert.equal(email.status, 'waiting');
      assert.equal(email.sender, 'collections@contoso.test');
      assert.ok((await listQueue(world.ctx, world.admin)).some((e) => e.id === email.id));
      await runDistributorPass(world.ctx, world.providers);
      const [mail] = await world.smtp.waitForMails(1);
      const parsed = await simpleParser(mail!.raw);
      assert.equal(parsed.subject, '[Test] Kontoauszug für Sparrow Retail');
      assert.equal(parsed.from?.value[0]?.address, 'collections@contoso.test');
      assert.equal(parsed.headers.get('priority'), 'high');
      assert.equal((await getEmail(world.ctx, world.admin, email.id)).status, 'sent');
    });
  });
}
