// The rules of incoming synchronization that need no server: parsing, automated senders, the
// tracking token, correlation order, smart matching and the tracking decision.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { automatedReason } from '../../../src/sync/incoming/automated-sender.ts';
import { correlate, type CorrelatedActivity, type CorrelationSettings } from '../../../src/sync/incoming/correlation.ts';
import { parseHeaders, parseMessage, type ParsedMessage } from '../../../src/sync/incoming/message-parser.ts';
import { addressHashes, smartMatch, subjectHashes } from '../../../src/sync/incoming/smart-matching.ts';
import { decideTracking } from '../../../src/sync/incoming/tracking-decision.ts';
import { findToken, formatToken } from '../../../src/sync/incoming/tracking-token.ts';

const raw = (headers: string, body = 'hello') => Buffer.from(`${headers.trim().split('\n').join('\r\n')}\r\n\r\n${body}\r\n`);

describe('parsing (postal-mime)', () => {
  it('reads ids, parties, bodies and attachments', async () => {
    const message = await parseMessage(raw(`
From: "Ana Contoso" <ana@contoso.test>
To: sales@example.test, Team: bo@example.test, cy@example.test;
Cc: dee@example.test
Subject: =?UTF-8?Q?Caf=C3=A9_order?=
Message-ID: <m1@contoso.test>
In-Reply-To: <sent-1@mailroom.test>
References: <root@mailroom.test> <sent-1@mailroom.test>
Date: Mon, 23 Nov 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b1`, '--b1\r\nContent-Type: text/plain\r\n\r\nthe text\r\n--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=order.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0x\r\n--b1--'));
    assert.equal(message.subject, 'Café order');
    assert.equal(message.messageId, '<m1@contoso.test>');
    assert.equal(message.inReplyTo, '<sent-1@mailroom.test>');
    assert.deepEqual(message.references, ['<root@mailroom.test>', '<sent-1@mailroom.test>']);
    assert.deepEqual(message.from, { address: 'ana@contoso.test', name: 'Ana Contoso' });
    assert.deepEqual(message.to.map((p) => p.address), ['sales@example.test', 'bo@example.test', 'cy@example.test']);
    assert.equal(message.text?.trim(), 'the text');
    assert.equal(message.attachments.length, 1);
    assert.equal(message.attachments[0]!.filename, 'order.pdf');
    assert.equal(Buffer.from(message.attachments[0]!.content).toString(), '%PDF-1');
    assert.equal(message.date, Date.UTC(2026, 10, 23, 9));
  });

  it('the header block alone gives the same ids, subject and parties as the whole parse', async () => {
    const source = raw(`
From: =?UTF-8?Q?Jos=C3=A9?= <jose@contoso.test>
To: sales@example.test, Team: bo@example.test, cy@example.test;
Cc: "Dee, D." <dee@example.test>
Subject: =?UTF-8?Q?Caf=C3=A9_order?= CRM:0007042
Message-ID: <m2@contoso.test>
In-Reply-To: <sent-1@mailroom.test>
References: <root@mailroom.test>
 <sent-1@mailroom.test>
Date: Mon, 23 Nov 2026 09:00:00 +0000`);
    const whole = await parseMessage(source);
    const head = await parseHeaders(source.subarray(0, source.indexOf('\r\n\r\n') + 4));
    for (const key of ['messageId', 'inReplyTo', 'references', 'subject', 'from', 'to', 'cc', 'date'] as const) assert.deepEqual(head[key], whole[key], key);
    assert.equal(head.from?.name, 'José');
    assert.equal(head.text, null);
  });

  it('a message without header fields fails with MESSAGE_PARSE_FAILED', async () => {
    await assert.rejects(parseMessage(Buffer.from('\r\njust some bytes\r\n')), { code: 'MESSAGE_PARSE_FAILED' });
    await assert.rejects(parseMessage(Buffer.from('no header here at all')), { code: 'MESSAGE_PARSE_FAILED' });
    await assert.rejects(parseHeaders(Buffer.from('\r\n')), { code: 'MESSAGE_PARSE_FAILED' });
  });
});

describe('automated senders never become people', () => {
  const cases: [string, string][] = [
    ['Auto-Submitted: auto-replied', 'ana@contoso.test'],
    ['Precedence: bulk', 'ana@contoso.test'],
    ['Precedence: list', 'ana@contoso.test'],
    ['Precedence: junk', 'ana@contoso.test'],
    ['List-Id: <news.contoso.test>', 'ana@contoso.test'],
    ['List-Unsubscribe: <mailto:unsub@contoso.test>', 'ana@contoso.test'],
    ['Content-Type: multipart/report; report-type=delivery-status; boundary=x', 'ana@contoso.test'],
    ['Subject: x', 'MAILER-DAEMON@contoso.test'],
    ['Subject: x', 'postmaster@contoso.test'],
    ['Subject: x', 'no-reply@contoso.test'],
    ['Subject: x', 'noreply@contoso.test'],
    ['Subject: x', 'donotreply@contoso.test'],
  ];
  for (const [header, from] of cases) {
    it(`${header} from ${from}`, () => assert.notEqual(automatedReason(`${header}\r\n`, from), null));
  }
  it('a person (Auto-Submitted: no, Precedence absent) is not automated', () => {
    assert.equal(automatedReason('Auto-Submitted: no\r\nSubject: hi\r\n', 'ana@contoso.test'), null);
  });
});

describe('the tracking token', () => {
  const format = { prefix: 'CRM', userDigits: 3, counterDigits: 3 };
  it('is prefix, colon, the online digit, user number and counter; the counter wraps', () => {
    assert.equal(formatToken(format, 7, 42), 'CRM:0007042');
    assert.equal(formatToken(format, 7, 1000), 'CRM:0007000');
  });
  it('is found in a reply subject, and not inside longer digit runs or other prefixes', () => {
    assert.equal(findToken(format, 'RE: Quote CRM:0007042 for May'), 'CRM:0007042');
    assert.equal(findToken(format, 'RE: crm:0007042'), 'CRM:0007042');
    assert.equal(findToken(format, 'RE: CRM:00070421'), null);
    assert.equal(findToken(format, 'RE: XCRM:0007042'), null);
    assert.equal(findToken({ ...format, prefix: 'ACME' }, 'RE: CRM:0007042'), null);
  });
});

describe('correlation, in the reference order', () => {
  const settings: CorrelationSettings = { useCorrelation: true, useTrackingTokens: true, smartMatching: false, token: { prefix: 'CRM', userDigits: 3, counterDigits: 3 } };
  const activity = (id: string): CorrelatedActivity => ({ id, regarding: { type: 'account', id: `acc-${id}` } });
  const lookups = {
    byMessageId: async (id: string) => ({ '<sent@app>': activity('by-irt'), '<root@app>': activity('by-ref') } as Record<string, CorrelatedActivity>)[id] ?? null,
    byTrackingToken: async (t: string) => (t === 'CRM:0001001' ? activity('by-token') : null),
    bySmartMatch: async () => activity('by-smart'),
  };
  const message = (over: Partial<ParsedMessage>): ParsedMessage => ({
    messageId: '<new@x>', inReplyTo: null, references: [], subject: 'hello', from: null, to: [], cc: [], bcc: [], date: null, text: null, html: null, attachments: [], ...over,
  });
  it('In-Reply-To first, then the token, then References, then smart matching', async () => {
    const all = message({ inReplyTo: '<sent@app>', subject: 'RE: CRM:0001001', references: ['<root@app>'] });
    assert.equal((await correlate(all, settings, lookups)).match?.method, 'in-reply-to');
    assert.equal((await correlate({ ...all, inReplyTo: '<unknown@x>' }, settings, lookups)).match?.method, 'tracking-token');
    assert.equal((await correlate({ ...all, inReplyTo: null, subject: 'RE: no token' }, settings, lookups)).match?.method, 'references');
    assert.equal((await correlate(message({}), settings, lookups)).match, null, 'smart matching is off by default');
    assert.equal((await correlate(message({}), { ...settings, smartMatching: true }, lookups)).match?.method, 'smart-matching');
  });
  it('carries the regarding record over; tokens off or correlation off skip those paths', async () => {
    const hit = await correlate(message({ inReplyTo: '<sent@app>' }), settings, lookups);
    assert.deepEqual(hit.match?.activity.regarding, { type: 'account', id: 'acc-by-irt' });
    assert.equal((await correlate(message({ subject: 'RE: CRM:0001001' }), { ...settings, useTrackingTokens: false }, lookups)).match, null);
    assert.equal((await correlate(message({ inReplyTo: '<sent@app>' }), { ...settings, useCorrelation: false }, lookups)).match, null);
  });
});

describe('smart matching hashes', () => {
  it('ignores RE:/FW: noise and needs two shared addresses', () => {
    const sent = { subject: subjectHashes('Quote for May'), addresses: addressHashes(['a@x.test', 'b@x.test', 'c@x.test']) };
    assert.equal(smartMatch({ subject: subjectHashes('RE: FW: Quote for May'), addresses: addressHashes(['A@x.test', 'b@x.test']) }, sent), true);
    assert.equal(smartMatch({ subject: subjectHashes('RE: Quote for May'), addresses: addressHashes(['a@x.test']) }, sent), false);
    assert.equal(smartMatch({ subject: subjectHashes('RE: Quote for June'), addresses: addressHashes(['a@x.test', 'b@x.test']) }, sent), false);
  });
});

describe('the tracking decision', () => {
  const base = { folderRule: false, correlated: false, senderTypes: [] as string[] };
  it('follows each tracking option', () => {
    assert.equal(decideTracking({ ...base, option: 'all' }).track, true);
    assert.equal(decideTracking({ ...base, option: 'replies' }).track, false);
    assert.equal(decideTracking({ ...base, option: 'replies', correlated: true }).track, true);
    assert.equal(decideTracking({ ...base, option: 'records', senderTypes: ['user'] }).track, false);
    assert.equal(decideTracking({ ...base, option: 'records', senderTypes: ['contact'] }).track, true);
    assert.equal(decideTracking({ ...base, option: 'email-enabled', senderTypes: ['queue'] }).track, true);
    assert.equal(decideTracking({ ...base, option: 'email-enabled' }).track, false);
  });
  it('a folder rule tracks regardless of the option', () => {
    assert.equal(decideTracking({ ...base, option: 'replies', folderRule: true }).track, true);
  });
});
