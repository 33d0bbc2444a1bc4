// The baselines on nodemailer alone, in a process of their own: pooled sending that composes each
// message, and pooled sending of messages built beforehand. Prints one `RESULT {json}` line.
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { benchEmail, SENDER, warmUpCount, type Variant } from './content.ts';

export interface BaselineJob {
  readonly mode: 'compose' | 'raw';
  readonly host: string;
  readonly port: number;
  readonly variant: Variant;
  readonly n: number;
  /** Sends handed to the pool and not yet finished. */
  readonly outstanding: number;
}

export interface BaselineResult {
  readonly ms: number;
  readonly sent: number;
  readonly maxRssKb: number;
  /** CPU time (user + system, µs) of this process while sending. */
  readonly cpuUs: number;
  readonly pool: string;
}

// nodemailer's own pool defaults, written out so the output can say what ran.
const POOL = { maxConnections: 5, maxMessages: 100 };

function compose(variant: Variant, i: number) {
  const e = benchEmail(variant, i);
  return { from: SENDER, to: e.to, subject: e.subject, text: e.body, attachments: e.attachments };
}

async function prebuild(variant: Variant, n: number): Promise<{ envelope: { from: string; to: string[] }; raw: Buffer }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const mail = compose(variant, i);
    const raw = await new MailComposer(mail).compile().build();
    out.push({ envelope: { from: SENDER.address, to: [mail.to] }, raw });
  }
  return out;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as BaselineJob;
  const transport = nodemailer.createTransport({ pool: true, host: job.host, port: job.port, secure: false, ignoreTLS: true, ...POOL });
  const prebuilt = job.mode === 'raw' ? await prebuild(job.variant, job.n) : [];
  // Warm-up, not measured: the first emails of the run, sent the same way.
  for (let i = 0; i < warmUpCount(job.n); i++) await transport.sendMail(job.mode === 'raw' ? prebuilt[i]! : compose(job.variant, i));
  let next = 0;
  let sent = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const lanes = Array.from({ length: Math.min(job.outstanding, job.n) }, async () => {
    while (next < job.n) {
      const i = next++;
      await transport.sendMail(job.mode === 'raw' ? prebuilt[i]! : compose(job.variant, i));
      sent++;
    }
  });
  await Promise.all(lanes);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  transport.close();
  const result: BaselineResult = { ms, sent, maxRssKb: process.resourceUsage().maxRSS, cpuUs: cpu.user + cpu.system, pool: `pool maxConnections ${POOL.maxConnections}, maxMessages ${POOL.maxMessages}, ${job.outstanding} sends outstanding` };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

await main();
