// Automatic record creation is idempotent per sender address, on both dialects: two workers (two
// contexts on one database) meeting the same new sender at the same moment end with one record.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openContext, type AppContext } from '../../../src/app-context.ts';
import { createSenderRecord } from '../../../src/sync/incoming/record-creation.ts';
import type { User } from '../../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../../fixtures/context.ts';
import { seedUsers } from '../../fixtures/mailroom.ts';

for (const dialect of DIALECTS) {
  describe(`automatic record creation on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    let other: AppContext;
    let alice: User;
    before(async () => {
      env = await createTestEnv(dialect);
      other = await openContext(env.config, { migrate: false });
      ({ alice } = await seedUsers(env.ctx));
    });
    after(async () => {
      await other.close();
      await env.cleanup();
    });

    const contactsWith = async (address: string) =>
      (await env.ctx.db.selectFrom('contact').select('id').where('email1', '=', address).execute()).map((r) => r.id);

    it('two workers racing on one new sender make one contact, whatever the case of the address', async () => {
      const options = { as: 'contact' as const, ownerId: alice.id };
      const made = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        createSenderRecord(i % 2 ? other : env.ctx, options, { address: i % 3 ? 'new.sender@fabrikam.test' : 'New.Sender@Fabrikam.test', name: 'New Sender' })));
      const ids = new Set(made.map((r) => r.id));
      assert.equal(ids.size, 1, 'every call answers the same record');
      assert.deepEqual(made.map((r) => [r.type, r.name]), made.map(() => ['contact', 'New Sender']));
      const stored = [...await contactsWith('new.sender@fabrikam.test'), ...await contactsWith('New.Sender@Fabrikam.test')];
      assert.deepEqual(stored, [...ids]);
    });

    it('a lead the same way; a record deleted since is made again, once', async () => {
      const options = { as: 'lead' as const, ownerId: alice.id };
      const sender = { address: 'prospect@northwind.test', name: '' };
      const first = await createSenderRecord(env.ctx, options, sender);
      assert.deepEqual([first.type, first.name], ['lead', 'prospect']);
      assert.equal((await createSenderRecord(other, options, sender)).id, first.id);
      await env.ctx.db.deleteFrom('lead').where('id', '=', first.id).execute();
      const again = await Promise.all([createSenderRecord(env.ctx, options, sender), createSenderRecord(other, options, sender)]);
      assert.notEqual(again[0].id, first.id);
      assert.equal(again[1].id, again[0].id);
      const leads = await env.ctx.db.selectFrom('lead').select('id').where('email1', '=', 'prospect@northwind.test').execute();
      assert.deepEqual(leads.map((r) => r.id), [again[0].id]);
    });
  });
}
