// Migration 0022 on both dialects: folders read before it get the process-from date in force as the
// date they were read from (the later of the profile's and the mailbox's, 0 for none), so moving a
// date earlier after the upgrade reads them again, and the upgrade alone reads nothing again.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { findMailboxRow, updateMailbox } from '../../../src/sync/mailboxes.service.ts';
import { createProfile } from '../../../src/sync/server-profiles.service.ts';
import { migrateToLatest } from '../../../src/store/migrations.ts';
import { createUser } from '../../../src/users/users.service.ts';
import { createTestEnv, DIALECTS, skipUnless, type TestEnv } from '../../fixtures/context.ts';

for (const dialect of DIALECTS) {
  describe(`folder cursors learn the date they were read from (migration 0022) on ${dialect}`, { skip: await skipUnless(dialect) }, () => {
    let env: TestEnv;
    before(async () => { env = await createTestEnv(dialect); });
    after(async () => { await env.cleanup(); });

    it('fills read_from from the profile\'s and the mailbox\'s dates', async () => {
      const { ctx } = env;
      const admin = await createUser(ctx, { username: 'admin', email: 'admin@example.test', role: 'admin', password: 'admin-password' });
      const profile = await createProfile(ctx, admin.id, {
        name: 'Old server', serverType: 'imap', incomingHost: '127.0.0.1', incomingPort: 143, incomingSsl: false, outgoingHost: '127.0.0.1', outgoingPort: 25, outgoingSsl: false,
        processEmailFrom: '2026-03-01',
      });
      const boxes: string[] = [];
      for (const [name, after] of [['later', '2026-06-01'], ['profile', null]] as const) {
        await createUser(ctx, { username: name, email: `${name}@example.test` });
        const box = await findMailboxRow(ctx, `${name}@example.test`);
        await updateMailbox(ctx, admin, box.id, { profile: profile.id, processAfter: after });
        boxes.push(box.id);
      }
      await createUser(ctx, { username: 'none', email: 'none@example.test' });
      boxes.push((await findMailboxRow(ctx, 'none@example.test')).id);
      // The schema as it was before 0022, with a cursor per mailbox.
      await ctx.db.schema.alterTable('sync_folder_cursor').dropColumn('read_from').execute();
      await sql`delete from mailroom_migration where name = '0022_cursor_read_from'`.execute(ctx.db);
      for (const id of boxes) await sql`insert into sync_folder_cursor (mailbox_id, folder, uid_validity, last_uid, highest_modseq, updated_at) values (${id}, 'INBOX', '7', 40, null, 1)`.execute(ctx.db);

      assert.deepEqual(await migrateToLatest({ db: ctx.db, dialect: ctx.dialect, close: async () => {} }), ['0022_cursor_read_from']);
      const rows = await ctx.db.selectFrom('sync_folder_cursor').select(['mailbox_id', 'read_from', 'last_uid']).execute();
      const byId = new Map(rows.map((r) => [r.mailbox_id, [Number(r.read_from), Number(r.last_uid)]]));
      assert.deepEqual(boxes.map((id) => byId.get(id)), [[Date.parse('2026-06-01'), 40], [Date.parse('2026-03-01'), 40], [0, 40]]);
    });
  });
}
