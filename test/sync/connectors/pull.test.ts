// Pulling from a real Dovecot: headers first, sources only on demand, cursors per folder, known
// messages never read again, nothing changed on the server (no \Seen), POP3 DELE only on request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ImapFlow } from 'imapflow';
import type { ConnectorConfig, IncomingItem, MailboxConnector } from '../../../src/sync/connectors/connector.ts';
import { createConnector } from '../../../src/sync/connectors/create-connector.ts';
import { headerValue } from '../../../src/sync/connectors/header-lines.ts';
import { DOVECOT_CA, skipUnlessDovecot, startDovecot, type DovecotUser, type RunningDovecot } from '../../fixtures/dovecot.ts';

const skip = skipUnlessDovecot();
const count = async (imap: ImapFlow, folder: string) => { const status = await imap.status(folder, { messages: true }); return status ? status.messages : -1; };
const message = (n: number, extra = '') => `From: sender${n}@example.test\r\nTo: user@example.test\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.test>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nbody ${n}\r\n${extra}`;

async function collect(iterable: AsyncIterable<IncomingItem>, keep = true): Promise<{ item: IncomingItem; source?: Buffer }[]> {
  const out: { item: IncomingItem; source?: Buffer }[] = [];
  for await (const item of iterable) out.push({ item, source: keep ? await item.loadSource() : undefined });
  return out;
}

describe('pulling messages', { skip }, () => {
  let dovecot: RunningDovecot;
  before(async () => { dovecot = await startDovecot({ folders: { Undeliverable: '' } }); });
  after(async () => { await dovecot.stop(); });
  const config = (type: 'imap' | 'pop3', user: DovecotUser): ConnectorConfig => ({
    type, incoming: { host: '127.0.0.1', port: type === 'imap' ? dovecot.imapPort : dovecot.pop3Port, ssl: true, ca: DOVECOT_CA, ...user }, timeoutMs: 10_000,
  });

  describe('IMAP', () => {
    it('streams headers, then sources on demand, advancing the cursor; never sets \\Seen', async () => {
      const user = dovecot.addUser();
      await dovecot.deliver(user, [message(1), message(2), message(3, 'x'.repeat(300_000))]);
      const connector = createConnector(config('imap', user));
      try {
        const pulled = await collect(connector.pull('INBOX', null, { batchSize: 2, prefetchBytes: 64 * 1024 }));
        assert.deepEqual(pulled.map((p) => headerValue(p.item.headers, 'subject')), ['message 1', 'message 2', 'message 3']);
        assert.match(pulled[2]!.source!.toString(), /body 3/);
        assert.ok(pulled[2]!.source!.length > 300_000);
        const cursor = pulled.at(-1)!.item.cursor!;
        assert.equal(cursor.lastUid, 3);
        assert.ok(cursor.highestModseq, 'Dovecot has CONDSTORE');
        assert.deepEqual(await collect(connector.pull('INBOX', cursor)), [], 'nothing new after the cursor');
        await dovecot.deliver(user, [message(4)]);
        const next = await collect(connector.pull('INBOX', cursor));
        assert.deepEqual(next.map((p) => p.item.ref.uid), ['4']);
      } finally {
        await connector.close();
      }
      const imap = await dovecot.client(user);
      const lock = await imap.getMailboxLock('INBOX');
      for await (const m of imap.fetch('1:*', { flags: true })) assert.equal(m.flags?.has('\\Seen'), false, `message ${m.seq} was marked \\Seen`);
      lock.release();
      await imap.logout();
    });

    it('skips what the pipeline already has without reading it, and re-reads the folder after a UIDVALIDITY change', async () => {
      const user = dovecot.addUser();
      await dovecot.deliver(user, [message(1), message(2)]);
      const connector = createConnector(config('imap', user));
      try {
        const pulled = await collect(connector.pull('INBOX', null, { known: async (refs) => new Set(refs.filter((r) => r.uid === '1').map((r) => r.uid)) }));
        assert.deepEqual(pulled.map((p) => p.item.ref.uid), ['2']);
        const stale = { uidValidity: '1', lastUid: 99 };
        const again = await collect(connector.pull('INBOX', stale), false);
        assert.deepEqual(again.map((p) => p.item.ref.uid), ['1', '2']);
        assert.equal(again[0]!.item.uidValidityChanged, true);
        assert.equal(again[1]!.item.uidValidityChanged, false);
      } finally {
        await connector.close();
      }
    });

    it('lists UIDs and Message-IDs for reconciliation, moves to Undeliverable and appends to Sent', async () => {
      const user = dovecot.addUser();
      await dovecot.deliver(user, [message(1), message(2)]);
      const connector = createConnector(config('imap', user));
      try {
        const listed = [];
        for await (const ref of connector.list('INBOX', null)) listed.push([ref.uid, ref.messageId]);
        assert.deepEqual(listed, [['1', '<m1@example.test>'], ['2', '<m2@example.test>']]);
        const [first] = await collect(connector.pull('INBOX', null), false);
        await connector.moveToUndeliverable!(first!.item.ref);
        await connector.appendToSent!(Buffer.from(message(9)));
      } finally {
        await connector.close();
      }
      const imap = await dovecot.client(user);
      assert.equal(await count(imap, 'INBOX'), 1);
      assert.equal(await count(imap, 'Undeliverable'), 1);
      assert.equal(await count(imap, 'Sent'), 1);
      await imap.logout();
    });

    it('a missing folder is MAILBOX_FOLDER_MISSING', async () => {
      const connector = createConnector(config('imap', dovecot.addUser()));
      try {
        await assert.rejects(collect(connector.pull('INBOX/Nope', null)), { code: 'MAILBOX_FOLDER_MISSING' });
      } finally {
        await connector.close();
      }
    });

    it('waitForChange wakes on a new message (IDLE) and times out otherwise', async () => {
      const user = dovecot.addUser();
      const connector = createConnector(config('imap', user));
      try {
        assert.equal(await connector.waitForChange!('INBOX', 200), false);
        const woke = connector.waitForChange!('INBOX', 20_000);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await dovecot.deliver(user, [message(1)]);
        assert.equal(await woke, true);
      } finally {
        await connector.close();
      }
    });
  });

  describe('POP3', () => {
    it('pulls by UIDL, skips known ones, and deletes only what was removed, at close', async () => {
      const user = dovecot.addUser();
      await dovecot.deliver(user, [message(1), message(2), `${message(3)}.leading dot line\r\n..two dots\r\n`]);
      let connector: MailboxConnector = createConnector(config('pop3', user));
      const pulled = await collect(connector.pull('INBOX', null));
      assert.deepEqual(pulled.map((p) => headerValue(p.item.headers, 'message-id')), ['<m1@example.test>', '<m2@example.test>', '<m3@example.test>']);
      assert.match(pulled[2]!.source!.toString(), /\r\n\.leading dot line\r\n\.\.two dots\r\n$/);
      const uids = pulled.map((p) => p.item.ref.uid);
      assert.equal(new Set(uids).size, 3);
      await connector.remove!(pulled[0]!.item.ref);
      await connector.close();

      connector = createConnector(config('pop3', user));
      const rest = await collect(connector.pull('INBOX', null, { known: async (refs) => new Set(refs.map((r) => r.uid).filter((u) => u === uids[1])) }), false);
      assert.deepEqual(rest.map((p) => p.item.ref.uid), [uids[2]], 'the removed one is gone, the known one is skipped');
      await connector.close();
      const imap = await dovecot.client(user);
      assert.equal(await count(imap, 'INBOX'), 2);
      await imap.logout();
    });

    it('other folders do not exist on POP3', async () => {
      const connector = createConnector(config('pop3', dovecot.addUser()));
      await assert.rejects(collect(connector.pull('Sent', null)), { code: 'MAILBOX_FOLDER_MISSING' });
      await connector.close();
    });
  });
});
