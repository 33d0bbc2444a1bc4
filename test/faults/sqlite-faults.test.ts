// The embedded database's own faults, through the API: a SQLite file another program keeps locked
// longer than Mailroom waits, and a disk with no room left. Each answers 503 with Retry-After and a
// registry code, writes nothing of the request, and the same request succeeds once the fault is
// gone. (On PostgreSQL the matching fault is the server going away: database-outage.test.ts.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { attachment, countEmails, startApi, type ApiHarness } from '../fixtures/api.ts';

describe('a locked or full SQLite file', () => {
  let h: ApiHarness;
  const email = (subject: string, bytes = 0) => ({
    to: 'customer@fabrikam.test', subject, body: 'Statement attached.', provider: 'eml',
    ...(bytes ? { attachments: [attachment('statement.pdf', bytes, 'application/pdf')] } : {}),
  });

  before(async () => { h = await startApi('sqlite'); });
  after(async () => { await h.close(); });

  it('answers DATABASE_BUSY with Retry-After while another program holds the file locked, then accepts the same email', async () => {
    const before = await countEmails(h);
    const locker = new DatabaseSync(join(h.env.dataDir, 'mailroom.db'));
    try {
      locker.exec('BEGIN EXCLUSIVE');
      const refused = await h.call('POST', '/api/emails', { token: h.tokens.alice, body: email('While locked') });
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.headers['retry-after'], '5');
      assert.equal(refused.body.error.code, 'DATABASE_BUSY');
      assert.equal(refused.body.error.retryable, true);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    assert.deepEqual(await countEmails(h), before, 'nothing of the refused request was written');
    const accepted = await h.call('POST', '/api/emails', { token: h.tokens.alice, body: email('While locked') });
    assert.ok(accepted.status < 300, accepted.text);
    assert.deepEqual(await countEmails(h), { emails: before.emails + 1, contents: before.contents + 1 });
  });

  it('answers DATABASE_FULL when the disk has no room, keeps neither the email nor its content, and accepts it once there is room', async () => {
    const before = await countEmails(h);
    const [{ page_count: pages }] = (await sql<{ page_count: number }>`PRAGMA page_count`.execute(h.env.ctx.db)).rows as [{ page_count: number }];
    // The file may grow by a few pages only: a disk that is all but full.
    await sql.raw(`PRAGMA max_page_count = ${pages + 4}`).execute(h.env.ctx.db);
    try {
      const refused = await h.call('POST', '/api/emails', { token: h.tokens.alice, body: email('On a full disk', 400_000) });
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.headers['retry-after'], '5');
      assert.equal(refused.body.error.code, 'DATABASE_FULL');
      assert.deepEqual(await countEmails(h), before, 'no email row without its content, nor the other way round');
    } finally {
      await sql.raw('PRAGMA max_page_count = 1073741823').execute(h.env.ctx.db);
    }
    const accepted = await h.call('POST', '/api/emails', { token: h.tokens.alice, body: email('On a full disk', 400_000) });
    assert.ok(accepted.status < 300, accepted.text);
    assert.deepEqual(await countEmails(h), { emails: before.emails + 1, contents: before.contents + 1 });
  });
});
