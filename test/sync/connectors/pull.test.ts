// Pulling from a real Dovecot: headers first, sources only on demand, cursors per folder, known
// messages never read again, nothing changed on the server (no \Seen), POP3 DELE only on request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ImapFlow } from 'imapflow';
import type { ConnectorConfig, FolderChanges, FolderCursor, IncomingItem, MailboxConnector } from '../../../src/sync/connectors/connector.ts';
import { createConnector } from '../../../src/sync/connectors/create-connector.ts';
import { headerValue } from '../../../src/sync/connectors/header-lines.ts';
import { DOVECOT_CA, skipUnlessDovecot, startDovecot, type DovecotUser, type RunningDovecot } from '../../fixtures/dovecot.ts';
import { startTcpProxy } from '../../fixtures/tcp-proxy.ts';

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

    it('CONDSTORE/QRESYNC: an unchanged folder costs one STATUS; flag changes and expunges are asked with CHANGEDSINCE … VANISHED, never by listing the folder', async () => {
      const user = dovecot.addUser();
      await dovecot.deliver(user, [message(1), message(2), message(3)]);
      // The commands on the wire, seen through a plain-text proxy (the tag dropped).
      const commands: string[] = [];
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: dovecot.imapPort }, {
        tap: (chunk) => { for (const line of chunk.toString().split('\r\n')) { const m = /^[A-Za-z0-9.]+ ((?:UID )?[A-Z]+)/.exec(line); if (m) commands.push(m[1]!); } },
      });
      const plain: ConnectorConfig = { ...config('imap', user), incoming: { ...config('imap', user).incoming, port: proxy.port, ssl: false } };
      // A session's own commands, and imapflow's LIST of a folder before it first opens it on a connection.
      const session = new Set(['CAPABILITY', 'ID', 'LOGIN', 'AUTHENTICATE', 'ENABLE', 'NAMESPACE', 'COMPRESS', 'LOGOUT', 'LIST', 'LSUB']);
      // One cycle as a scheduled job runs it: a connection of its own, then the folder's pull.
      const cycle = async (cursor: FolderCursor | null, withChanges = true) => {
        const connector = createConnector(plain);
        const changes: FolderChanges[] = [];
        const start = commands.length;
        try {
          const items = await collect(connector.pull('INBOX', cursor, withChanges ? { changes: async (c) => { changes.push(c); } } : {}), false);
          return { items: items.map((p) => p.item), changes, sent: commands.slice(start).filter((c) => !session.has(c)) };
        } finally {
          await connector.close();
        }
      };
      const other = await dovecot.client(user);
      try {
        const first = await cycle(null);
        assert.deepEqual(first.items.map((i) => i.ref.uid), ['1', '2', '3']);
        const cursor = first.items.at(-1)!.cursor!;
        assert.ok(cursor.highestModseq, 'the cursor keeps HIGHESTMODSEQ');

        const unchanged = await cycle(cursor);
        assert.deepEqual([unchanged.items, unchanged.changes, unchanged.sent], [[], [], ['STATUS']], 'an unchanged folder: one STATUS');

        const lock = await other.getMailboxLock('INBOX');
        try { await other.messageFlagsAdd('2', ['\\Flagged'], { uid: true }); } finally { lock.release(); }
        const flagged = await cycle(cursor);
        assert.deepEqual(flagged.items, []);
        assert.deepEqual(flagged.sent, ['STATUS', 'EXAMINE', 'UID FETCH'], 'only what changed since, no SEARCH, no listing');
        assert.deepEqual(flagged.changes.map((c) => [c.vanished, c.cursor.lastUid]), [[[], 3]], 'a flag change: nothing vanished, the cursor\'s UID stays');
        const afterFlags = flagged.changes[0]!.cursor;
        assert.ok(BigInt(afterFlags.highestModseq!) > BigInt(cursor.highestModseq!));
        assert.deepEqual((await cycle(afterFlags)).sent, ['STATUS'], 'and unchanged again from the new HIGHESTMODSEQ');

        const again = await other.getMailboxLock('INBOX');
        try { await other.messageDelete('1', { uid: true }); } finally { again.release(); }
        await dovecot.deliver(user, [message(4)]);
        const expunged = await cycle(afterFlags);
        assert.deepEqual(expunged.changes.map((c) => c.vanished), [['1']], 'the expunge, reported by VANISHED (EARLIER)');
        assert.deepEqual(expunged.items.map((i) => i.ref.uid), ['4'], 'then the new message, as before');
        assert.equal(expunged.items[0]!.cursor!.highestModseq, expunged.changes[0]!.cursor.highestModseq);

        // Fallbacks: a pipeline that does not take changes, or a cursor without HIGHESTMODSEQ (stored
        // before, or a server without CONDSTORE), is the UIDVALIDITY + UID cursor alone.
        await dovecot.deliver(user, [message(5)]);
        const without = await cycle(expunged.items[0]!.cursor!, false);
        assert.deepEqual(without.items.map((i) => i.ref.uid), ['5']);
        assert.deepEqual(without.sent.slice(0, 3), ['STATUS', 'EXAMINE', 'UID SEARCH'], 'no changed-since fetch before the search for new mail');
        const bare = { uidValidity: cursor.uidValidity, lastUid: 5 };
        assert.deepEqual(await cycle(bare).then((c) => [c.items, c.changes, c.sent]), [[], [], ['STATUS']]);
      } finally {
        await other.logout();
        await proxy.close();
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

  describe('IMAP on a server without CONDSTORE and QRESYNC', () => {
    let plainImap: RunningDovecot;
    before(async () => { plainImap = await startDovecot({ imapCapability: 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID IDLE LITERAL+ UIDPLUS MOVE' }); });
    after(async () => { await plainImap?.stop(); });

    it('the cursor is UIDVALIDITY + UID alone: new mail is found, nothing else is asked', async () => {
      const user = plainImap.addUser();
      await plainImap.deliver(user, [message(1), message(2)]);
      const plain = { ...config('imap', user), incoming: { ...config('imap', user).incoming, port: plainImap.imapPort } };
      const changes: FolderChanges[] = [];
      const pull = async (cursor: FolderCursor | null) => {
        const connector = createConnector(plain);
        try { return (await collect(connector.pull('INBOX', cursor, { changes: async (c) => { changes.push(c); } }), false)).map((p) => p.item); } finally { await connector.close(); }
      };
      const first = await pull(null);
      const cursor = first.at(-1)!.cursor!;
      assert.deepEqual([cursor.lastUid, cursor.highestModseq], [2, undefined]);
      const other = await plainImap.client(user);
      const lock = await other.getMailboxLock('INBOX');
      try { await other.messageDelete('1', { uid: true }); } finally { lock.release(); }
      await other.logout();
      await plainImap.deliver(user, [message(3)]);
      assert.deepEqual((await pull(cursor)).map((i) => i.ref.uid), ['3']);
      assert.deepEqual(changes, [], 'no change lookup without QRESYNC');
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
