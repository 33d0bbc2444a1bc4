// A deterministic mailbox for the sync benchmark: messages from 2 KiB to 2 MiB (most a few KiB, a
// fifth with an attachment, one in a hundred over 128 KiB), in threads of replies (In-Reply-To and
// References to the message before), from a few hundred senders. The same seed gives the same bytes.

/** A small deterministic generator (mulberry32), so every run syncs the same mailbox. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'order invoice delivery quote price meeting schedule contract renewal support ticket shipment payment account update thanks please regards'.split(' ');

function text(next: () => number, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = Array.from({ length: 12 }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
    lines.push(line);
    size += line.length + 2;
  }
  return lines.join('\r\n');
}

/** The body size of message i: 80% 2–12 KiB, 19% 12–128 KiB, 1% 128 KiB–2 MiB. */
function bodyBytes(next: () => number): number {
  const r = next();
  if (r < 0.8) return 2048 + Math.floor(next() * 10 * 1024);
  if (r < 0.99) return 12 * 1024 + Math.floor(next() * 116 * 1024);
  return 128 * 1024 + Math.floor(next() * (2048 - 128) * 1024);
}

export function generateMessage(i: number, to: string, prefix = 'bench'): Buffer {
  const next = random(i * 7919 + 17);
  const sender = Math.floor(next() * 300);
  const id = (n: number) => `<${prefix}-${n}@contoso.test>`;
  const reply = i % 4 !== 0; // threads of four: a message and three replies
  const total = bodyBytes(next);
  const withAttachment = i % 5 === 0;
  const attachmentBytes = withAttachment ? Math.floor(total * 0.6) : 0;
  const headers = [
    `From: "Sender ${sender}" <sender${sender}@contoso.test>`, `To: ${to}`, `Subject: ${reply ? 'RE: ' : ''}Thread ${Math.floor(i / 4)}`,
    `Message-ID: ${id(i)}`, `Date: ${new Date(Date.UTC(2026, 9, 1) + i * 60_000).toUTCString()}`,
    ...(reply ? [`In-Reply-To: ${id(i - 1)}`, `References: ${Array.from({ length: i % 4 }, (_, k) => id(i - (i % 4) + k)).join(' ')}`] : []),
    'MIME-Version: 1.0',
  ];
  const body = text(next, total - attachmentBytes);
  if (!withAttachment) return Buffer.from([...headers, 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n'));
  const data = Buffer.alloc(Math.floor(attachmentBytes * 0.74), i % 251).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from([
    ...headers, 'Content-Type: multipart/mixed; boundary=part', '', '--part', 'Content-Type: text/plain; charset=utf-8', '', body,
    '--part', 'Content-Type: application/pdf', `Content-Disposition: attachment; filename=document-${i}.pdf`, 'Content-Transfer-Encoding: base64', '', data, '--part--', '',
  ].join('\r\n'));
}

export function* generateMailbox(count: number, to: string, from = 0, prefix = 'bench'): Generator<Buffer> {
  for (let i = from; i < from + count; i++) yield generateMessage(i, to, prefix);
}
