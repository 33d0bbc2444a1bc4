// An administrator locks everyone out by mistake; a local user reads Mailroom's files.
import assert from 'node:assert/strict';
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIALECTS, skipUnless } from '../fixtures/context.ts';
import { startApi, type ApiHarness } from '../fixtures/api.ts';

for (const dialect of DIALECTS) {
  describe(`administrators and files on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let h: ApiHarness;
    before(async () => { h = await startApi(dialect); });
    after(async () => { await h.close(); });

    it('refuses to demote the last administrator, and allows it once there is another', async () => {
      const self = await h.call('PATCH', `/api/users/${h.users.admin.id}`, { token: h.tokens.admin, body: { role: 'user' } });
      assert.equal(self.status, 409, self.text);
      assert.equal((await h.call('GET', '/api/parameters', { token: h.tokens.admin })).status, 200, 'still an administrator');
      assert.equal((await h.call('PATCH', `/api/users/${h.users.alice.id}`, { token: h.tokens.admin, body: { role: 'admin' } })).status, 200);
      assert.equal((await h.call('PATCH', `/api/users/${h.users.admin.id}`, { token: h.tokens.admin, body: { role: 'user' } })).status, 200);
    });

    it('keeps the data folder and what is in it to Mailroom\'s own user', () => {
      assert.equal(statSync(h.env.dataDir).mode & 0o777, 0o700);
      // On PostgreSQL the folder holds the key file; on SQLite the database and its WAL too.
      const files = readdirSync(h.env.dataDir);
      if (dialect === 'sqlite') assert.ok(files.includes('mailroom.db'));
      for (const name of files) {
        assert.equal(statSync(join(h.env.dataDir, name)).mode & 0o077, 0, `${name} is not readable by others`);
      }
    });
  });
}
