// The parser thread gives what parsing on the calling thread gives (text, HTML, parties,
// attachments byte for byte), refuses what is not mail with the same code, and fails rather
// than forgets the parses it holds when it stops; a message that kills the thread fails alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage } from '../../../src/sync/incoming/message-parser.ts';
import { createMessageParsing } from '../../../src/sync/incoming/parser-thread.ts';
import { generateMessage } from '../../../bench/sync/mailbox-generator.ts';

const multipart = Buffer.from([
  'From: =?UTF-8?Q?Ana_Mu=C3=B1oz?= <ana@contoso.test>', 'To: a@example.test, "B" <b@example.test>', 'Cc: c@example.test', 'Subject: Quote',
  'Message-ID: <q-1@contoso.test>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b', '',
  '--b', 'Content-Type: multipart/alternative; boundary=a', '', '--a', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '',
  'Caf=C3=A9 prices', '--a', 'Content-Type: text/html; charset=utf-8', '', '<p>Café prices</p>', '--a--',
  '--b', 'Content-Type: application/pdf', 'Content-Disposition: attachment; filename=quote.pdf', 'Content-Transfer-Encoding: base64', '',
  Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256)).toString('base64').replace(/.{76}/g, '$&\r\n'),
  '--b', 'Content-Type: text/csv; name=rows.csv', 'Content-Disposition: attachment', '', 'a;b', '1;2', '--b--', '',
].join('\r\n'));

describe('parser thread', () => {
  it('parses as the calling thread does: parties, text, HTML and attachments byte for byte', async () => {
    const parsing = createMessageParsing({ afterBytes: 0 });
    try {
      const sources = [multipart, ...[0, 1, 5, 10, 99].map((i) => generateMessage(i, 'u@example.test'))];
      for (const source of sources) {
        const here = await parseMessage(source);
        const there = await parsing.parse(Buffer.from(source));
        assert.deepEqual({ ...there, attachments: there.attachments.map((a) => ({ ...a, content: Buffer.from(a.content) })) },
          { ...here, attachments: here.attachments.map((a) => ({ ...a, content: Buffer.from(a.content) })) });
      }
      const quote = await parsing.parse(Buffer.from(multipart));
      assert.equal(quote.text?.trim(), 'Café prices');
      assert.deepEqual(quote.attachments.map((a) => [a.filename, a.content.byteLength]), [['quote.pdf', 3000], ['rows.csv', 8]]);
    } finally {
      await parsing.close();
    }
  });

  it('a source without header fields fails with MESSAGE_PARSE_FAILED, and the thread parses on', async () => {
    const parsing = createMessageParsing({ afterBytes: 0 });
    try {
      await assert.rejects(parsing.parse(Buffer.from('no header here at all')), { code: 'MESSAGE_PARSE_FAILED' });
      assert.equal((await parsing.parse(Buffer.from(multipart))).subject, 'Quote');
    } finally {
      await parsing.close();
    }
  });

  it('parses on the calling thread until the cycle has parsed enough to pay for the thread', async () => {
    const parsing = createMessageParsing({ afterBytes: multipart.length * 2 });
    try {
      // A view of a shared buffer is copied, not moved: the caller's bytes stay whole.
      const shared = Buffer.concat([multipart, multipart, multipart]);
      for (let i = 0; i < 3; i++) assert.equal((await parsing.parse(shared.subarray(i * multipart.length, (i + 1) * multipart.length))).subject, 'Quote');
      assert.equal(shared.length, multipart.length * 3);
    } finally {
      await parsing.close();
    }
  });

  it('a message that kills the thread fails alone: the others it held are parsed again, each on a fresh thread', async () => {
    // A text part of 25 MB is a string of that size on the thread's heap, over a 24 MiB limit.
    const line = `${'The quick brown fox jumps. '.repeat(3)}\r\n`;
    const huge = Buffer.from(`From: a@contoso.test\r\nSubject: Huge\r\nMessage-ID: <huge@contoso.test>\r\nContent-Type: text/plain\r\n\r\n${line.repeat(300_000)}`);
    const parsing = createMessageParsing({ afterBytes: 0, maxHeapMb: 24 });
    try {
      const held = [multipart, huge, ...[1, 2, 3].map((i) => generateMessage(i, 'u@example.test'))].map((source) => parsing.parse(Buffer.from(source)));
      const settled = await Promise.allSettled(held);
      const outcome = settled.map((s) => (s.status === 'fulfilled' ? 'parsed' : (s.reason as { code: string }).code));
      assert.deepEqual(outcome, ['parsed', 'MESSAGE_PARSE_FAILED', 'parsed', 'parsed', 'parsed'], 'only the message that kills the thread fails');
      assert.match(String((settled[1] as PromiseRejectedResult).reason.message), /alone \(.*memory/);
      assert.equal((await parsing.parse(Buffer.from(multipart))).subject, 'Quote', 'and parsing goes on');
    } finally {
      await parsing.close();
    }
  });

  it('parses held when the thread is stopped fail with the reason, none is left waiting', async () => {
    const parsing = createMessageParsing({ afterBytes: 0 });
    const held = Array.from({ length: 20 }, (_, i) => parsing.parse(generateMessage(i, 'u@example.test')));
    await parsing.close();
    const settled = await Promise.allSettled(held);
    for (const s of settled) if (s.status === 'rejected') assert.equal((s.reason as { code: string }).code, 'MESSAGE_PARSE_FAILED');
    assert.equal(settled.length, 20);
  });
});
