// Accounts, contacts and leads: the migration of the Statements scenario's customers, and
// create, read, change, search, paging and who may change what.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import * as accounts from '../../src/crm/accounts.service.ts';
import * as contacts from '../../src/crm/contacts.service.ts';
import * as leads from '../../src/crm/leads.service.ts';
import { migrateTo, migrateToLatest, migrationNames } from '../../src/store/migrations.ts';
import type { User } from '../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../fixtures/context.ts';
import { seedUsers } from '../fixtures/mailroom.ts';

for (const dialect of DIALECTS) {
  describe(`customers become accounts and contacts (migration 0006) on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    before(async () => { env = await createTestEnv(dialect, { migrate: false }); });
    after(async () => { await env.cleanup(); });

    it('keeps every customer, contact and invoice with its id, and drops the old tables', async () => {
      const store = { db: env.ctx.db, dialect: env.ctx.dialect, close: async () => {} };
      const before0006 = migrationNames(dialect).filter((n) => n < '0006').at(-1)!;
      await migrateTo(store, before0006);
      const old = env.ctx.db as unknown as Kysely<any>; // the schema as it was before 0006
      await old.insertInto('app_user').values([
        { id: 'u-user', username: 'pat', name: 'Pat', email: 'pat@contoso.test', role: 'user', language: 'en-us', created_at: 1 },
        { id: 'u-admin', username: 'ada', name: 'Ada', email: 'ada@contoso.test', role: 'admin', language: 'en-us', created_at: 2 },
      ]).execute();
      await old.insertInto('organization').values({ id: 'org-1', code: 'USMF', name: 'Contoso USA', created_at: 1 }).execute();
      await old.insertInto('customer').values([
        { id: 'c-8', account: 'US-008', name: 'Sparrow Retail', organization_id: 'org-1', currency: 'EUR', created_at: 10 },
        { id: 'c-9', account: 'US-009', name: 'Wren Supplies', organization_id: null, currency: 'USD', created_at: 11 },
      ]).execute();
      await old.insertInto('customer_contact').values([
        { id: 'k-1', customer_id: 'c-8', name: 'Dana Collins', email: 'Collections@Sparrow.test', purpose: 'Statements', language: 'de', created_at: 20 },
        { id: 'k-2', customer_id: 'c-8', name: 'Sam Rivera', email: 'sam@sparrow.test', purpose: 'Purchasing', language: null, created_at: 21 },
      ]).execute();
      await old.insertInto('customer_invoice').values({
        id: 'i-1', customer_id: 'c-8', number: 'INV-1', invoice_date: Date.UTC(2026, 0, 5), due_date: Date.UTC(2026, 1, 4), amount_minor: 12_050, open_minor: 5_000, created_at: 30,
      }).execute();

      assert.deepEqual(await migrateToLatest(store), migrationNames(dialect).filter((n) => n > before0006));

      const sparrow = await accounts.getAccountDetail(env.ctx, 'us-008');
      assert.equal(sparrow.id, 'c-8');
      assert.equal(sparrow.name, 'Sparrow Retail');
      assert.equal(sparrow.currency, 'EUR');
      assert.equal(sparrow.organizationId, 'org-1');
      assert.equal(sparrow.ownerId, 'u-admin', 'the first administrator owns the migrated rows');
      assert.equal(sparrow.state, 'active');
      assert.deepEqual(sparrow.contacts.map((c) => [c.id, c.name, c.emails, c.purpose, c.language, c.accountId]), [
        ['k-1', 'Dana Collins', ['Collections@Sparrow.test'], 'Statements', 'de', 'c-8'],
        ['k-2', 'Sam Rivera', ['sam@sparrow.test'], 'Purchasing', null, 'c-8'],
      ]);
      assert.deepEqual(sparrow.openInvoices.map((i) => [i.id, i.number, i.invoiceDate, i.amountMinor, i.openMinor]), [['i-1', 'INV-1', '2026-01-05', 12_050, 5_000]]);
      assert.equal((await accounts.getAccount(env.ctx, 'US-009')).name, 'Wren Supplies');
      for (const table of ['customer', 'customer_contact', 'customer_invoice']) {
        await assert.rejects(old.selectFrom(table).selectAll().execute(), `${table} is gone`);
      }
    });
  });

  describe(`accounts, contacts and leads on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let admin: User;
    let alice: User;
    before(async () => {
      env = await createTestEnv(dialect);
      ({ admin, alice } = await seedUsers(env.ctx));
    });
    after(async () => { await env.cleanup(); });

    it('creates an account with three addresses, owned by whoever made it, and reads it back by number', async () => {
      const a = await accounts.createAccount(env.ctx, alice, { name: ' Fabrikam ', accountNumber: 'fab-1', emails: ['info@fabrikam.test', 'ap@fabrikam.test', 'sales@fabrikam.test'] });
      assert.equal(a.name, 'Fabrikam');
      assert.equal(a.accountNumber, 'FAB-1');
      assert.equal(a.ownerId, alice.id);
      assert.deepEqual((await accounts.getAccount(env.ctx, 'Fab-1')).emails, ['info@fabrikam.test', 'ap@fabrikam.test', 'sales@fabrikam.test']);
      await assert.rejects(accounts.createAccount(env.ctx, alice, { name: 'Again', accountNumber: 'FAB-1' }), { code: 'CONFLICT' });
    });

    it('refuses bad input with the field named: four addresses, an invalid or repeated one, a bad state', async () => {
      const four = ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'];
      await assert.rejects(accounts.createAccount(env.ctx, alice, { name: 'X', emails: four }), { code: 'VALIDATION_FAILED', details: { field: 'emails' } });
      await assert.rejects(contacts.createContact(env.ctx, alice, { name: 'X', emails: ['not an address'] }), { code: 'INVALID_ADDRESS' });
      await assert.rejects(leads.createLead(env.ctx, alice, { name: 'X', emails: ['a@x.test', 'A@X.test'] }), { code: 'VALIDATION_FAILED' });
      await assert.rejects(leads.createLead(env.ctx, alice, { name: 'X', state: 'gone' as never }), { code: 'VALIDATION_FAILED', details: { field: 'state' } });
      await assert.rejects(contacts.createContact(env.ctx, alice, { name: 'X', account: 'NO-SUCH' }), { code: 'NOT_FOUND' });
      await assert.rejects(accounts.createAccount(env.ctx, alice, { name: 'Line\r\nBreak' }), { code: 'HEADER_INJECTION' });
    });

    it('lets only the owner or an administrator change or delete a record', async () => {
      const lead = await leads.createLead(env.ctx, admin, { name: 'Riley Chen', companyName: 'Northwind', emails: ['riley@northwind.test'] });
      await assert.rejects(leads.updateLead(env.ctx, alice, lead.id, { topic: 'mine now' }), { code: 'FORBIDDEN' });
      await assert.rejects(leads.deleteLead(env.ctx, alice, lead.id), { code: 'FORBIDDEN' });
      const given = await leads.updateLead(env.ctx, admin, lead.id, { owner: 'alice', topic: 'Store fittings' });
      assert.equal(given.ownerId, alice.id);
      const changed = await leads.updateLead(env.ctx, alice, lead.id, { emails: ['riley.chen@northwind.test'], state: 'inactive' });
      assert.deepEqual(changed.emails, ['riley.chen@northwind.test']);
      assert.deepEqual(await leads.getLead(env.ctx, lead.id), changed, 'what the change answered is what is stored');
      await leads.deleteLead(env.ctx, alice, lead.id);
      await assert.rejects(leads.getLead(env.ctx, lead.id), { code: 'NOT_FOUND' });
    });

    it('a contact belongs to an account or to none, and stays when its account is deleted', async () => {
      const account = await accounts.createAccount(env.ctx, alice, { name: 'Tailspin Toys', accountNumber: 'TT-1' });
      const contact = await contacts.createContact(env.ctx, alice, { name: 'Lee Park', account: 'tt-1', emails: ['lee@tailspin.test'], purpose: 'Statements', language: 'EN-GB' });
      assert.equal(contact.accountId, account.id);
      assert.equal(contact.language, 'en-gb');
      assert.deepEqual((await contacts.listContacts(env.ctx, { accountId: 'TT-1' })).items.map((c) => c.id), [contact.id]);
      await accounts.deleteAccount(env.ctx, alice, 'TT-1');
      assert.equal((await contacts.getContact(env.ctx, contact.id)).accountId, null);
      const loose = await contacts.updateContact(env.ctx, alice, contact.id, { purpose: null, account: null });
      assert.equal(loose.purpose, null);
    });

    it('searches names, addresses and other fields, word by word, without LIKE wildcards leaking', async () => {
      await contacts.createContact(env.ctx, alice, { name: 'Morgan Blake', emails: ['mb@woodgrove.test'] });
      await contacts.createContact(env.ctx, alice, { name: 'Morgan Ortiz', emails: ['morgan@adatum.test'] });
      await contacts.createContact(env.ctx, alice, { name: 'Percent 100%', emails: ['p@adatum.test'], state: 'inactive' });
      const names = async (q: string, state?: 'all' | 'inactive') => (await contacts.listContacts(env.ctx, { q, state })).items.map((c) => c.name);
      assert.deepEqual(await names('morgan'), ['Morgan Blake', 'Morgan Ortiz']);
      assert.deepEqual(await names('MORGAN adatum'), ['Morgan Ortiz']);
      assert.deepEqual(await names('woodgrove.test'), ['Morgan Blake']);
      assert.deepEqual(await names('100%'), [], 'inactive records are left out unless asked for');
      assert.deepEqual(await names('100%', 'all'), ['Percent 100%']);
      assert.deepEqual(await names('_', 'all'), [], 'an underscore is a character, not a wildcard');
      assert.deepEqual(await names('%', 'inactive'), ['Percent 100%']);
    });

    it('pages by name with a cursor, every record once', async () => {
      for (let i = 0; i < 7; i++) await leads.createLead(env.ctx, alice, { name: `Paging lead ${i}`, companyName: 'Paging Co' });
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await leads.listLeads(env.ctx, { q: 'paging', limit: 3, cursor });
        assert.ok(page.items.length <= 3);
        seen.push(...page.items.map((l) => l.name));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(seen, Array.from({ length: 7 }, (_, i) => `Paging lead ${i}`));
      await assert.rejects(leads.listLeads(env.ctx, { cursor: 'garbage' }), { code: 'VALIDATION_FAILED', details: { field: 'cursor' } });
      await assert.rejects(leads.listLeads(env.ctx, { limit: 0 }), { code: 'VALIDATION_FAILED', details: { field: 'limit' } });
    });
  });
}
