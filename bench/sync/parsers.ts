// Which parser incoming synchronization uses: mailparser's simpleParser vs postal-mime on the same
// deterministic messages (text, HTML, a fifth with an attachment), in one run. Prints msg/s and the ratio.
import { simpleParser } from 'mailparser';
import PostalMime from 'postal-mime';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 2000);

function message(i: number): Buffer {
  const words = Array.from({ length: 200 + (i % 7) * 150 }, (_, w) => `word${(w * 31 + i) % 997}`).join(' ');
  const attachment = i % 5 === 0 ? Buffer.alloc(20_000 + (i % 3) * 40_000, i % 251).toString('base64').replace(/.{76}/g, '$&\r\n') : '';
  const parts = [
    `From: "Sender ${i}" <s${i}@contoso.test>`, `To: user@example.test`, `Subject: Order ${i} =?UTF-8?Q?caf=C3=A9?=`,
    `Message-ID: <m${i}@contoso.test>`, ...(i % 3 ? [`In-Reply-To: <m${i - 1}@contoso.test>`] : []),
    'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: multipart/alternative; boundary=a', '',
    '--a', 'Content-Type: text/plain; charset=utf-8', '', words, '--a', 'Content-Type: text/html; charset=utf-8', '', `<p>${words}</p>`, '--a--',
    ...(attachment ? ['--b', 'Content-Type: application/octet-stream', 'Content-Disposition: attachment; filename=data.bin', 'Content-Transfer-Encoding: base64', '', attachment] : []),
    '--b--', '',
  ];
  return Buffer.from(parts.join('\r\n'));
}

async function measure(name: string, parse: (b: Buffer) => Promise<unknown>, messages: Buffer[]): Promise<number> {
  for (const m of messages.slice(0, 100)) await parse(m);
  const start = performance.now();
  for (const m of messages) await parse(m);
  const rate = messages.length / ((performance.now() - start) / 1000);
  console.log(`${name.padEnd(12)} ${rate.toFixed(0).padStart(6)} msg/s`);
  return rate;
}

const messages = Array.from({ length: COUNT }, (_, i) => message(i));
const mailparser = await measure('mailparser', (b) => simpleParser(b, { skipImageLinks: true, skipTextToHtml: true }), messages);
const postal = await measure('postal-mime', (b) => PostalMime.parse(b, { attachmentEncoding: 'arraybuffer' }), messages);
console.log(`postal-mime ÷ mailparser: ${(postal / mailparser).toFixed(2)}×`);
