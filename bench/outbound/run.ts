// npm run bench:outbound -- [--n 10000] [--dialect sqlite|postgres|both] [--variant text|attachment|both]
//                           [--attachment-n N] [--quick] [--cpu-prof] [--node-sink] [--providers-only] [--providers]
//
// Mailroom's outbound path against the same loopback SMTP sink as three baselines run in the same
// process tree: nodemailer composing each message, nodemailer sending pre-built messages, and
// Postfix's smtp-source (the loopback SMTP limit). Prints rates, ratios and goals; exits 0 unless
// something actually broke.
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer';
import { createBenchEnv, DIALECTS, postgresReachable, type Dialect } from './bench-env.ts';
import { runChild, timeProgram } from './children.ts';
import { benchEmail, SENDER, warmUpCount, type Variant } from './content.ts';
import type { BaselineJob, BaselineResult } from './nodemailer-baseline.ts';
import type { ProductJob, ProductResult } from './product.ts';
import { findPostfixTool, startSink, type Sink } from './sink.ts';
import { ensurePostfixTools } from './postfix-setup.ts';
import { benchProviders } from './providers.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string' },
    'attachment-n': { type: 'string' },
    dialect: { type: 'string', default: 'both' },
    variant: { type: 'string', default: 'both' },
    'providers-only': { type: 'boolean', default: false },
    providers: { type: 'boolean' },
    quick: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'node-sink': { type: 'boolean', default: false },
  },
});

const N = Number(args.n ?? (args.quick ? 1000 : 10_000));
const N_ATTACH = Number(args['attachment-n'] ?? Math.max(1, Math.round(N / 4)));
if (!Number.isInteger(N) || N < 4 || !Number.isInteger(N_ATTACH) || N_ATTACH < 1) throw new Error('--n must be an integer of at least 4');
if (!['sqlite', 'postgres', 'both'].includes(args.dialect!)) throw new Error('--dialect is sqlite, postgres or both');
if (!['text', 'attachment', 'both'].includes(args.variant!)) throw new Error('--variant is text, attachment or both');
const variants: Variant[] = args.variant === 'both' ? ['text', 'attachment'] : [args.variant as Variant];
const profileDir = fileURLToPath(new URL('./profiles/', import.meta.url));
const productFlags = ['--expose-gc', ...(args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
if (args['cpu-prof']) mkdirSync(profileDir, { recursive: true });

const rate = (n: number, ms: number) => (n * 1000) / ms;
const fmtRate = (r: number | undefined) => (r === undefined ? 'n/a' : `${Math.round(r).toLocaleString('en-US')} msg/s`);
const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
const log = (line = '') => process.stdout.write(line + '\n');

/** Checks that the sink really took `n` messages during `fn`. */
async function counted<T>(sink: Sink, n: number, what: string, fn: () => Promise<T>): Promise<T> {
  const before = sink.delivered();
  const result = await fn();
  // smtp-sink prints its counter after answering "."; give the last lines a moment to arrive.
  for (let i = 0; i < 40 && sink.delivered() - before < n; i++) await new Promise((r) => setTimeout(r, 25));
  const got = sink.delivered() - before;
  if (got !== n) throw new Error(`${what}: the sink received ${got} messages, expected ${n}`);
  return result;
}

interface Baselines {
  readonly messageBytes: number;
  readonly smtpSource?: number;
  readonly smtpSourceKeepalive?: number;
  readonly compose: number;
  readonly raw: number;
  readonly pool: string;
  /** Peak RSS (KiB) of the nodemailer process that composes. */
  readonly composeMaxRssKb: number;
  /** CPU time per message (µs) of the nodemailer process that composes. */
  readonly composeCpuUs: number;
}

async function measureBaselines(sink: Sink, variant: Variant, n: number): Promise<Baselines> {
  const sample = benchEmail(variant, 0);
  const messageBytes = (await new MailComposer({ from: SENDER, to: sample.to, subject: sample.subject, text: sample.body, attachments: sample.attachments }).compile().build()).length;
  const source = findPostfixTool('smtp-source');
  let smtpSource: number | undefined;
  let smtpSourceKeepalive: number | undefined;
  if (source) {
    const target = `${sink.host}:${sink.port}`;
    // A limit is the best the loopback path allows: the fastest of three runs.
    const best = async (flags: string[]) => {
      let ms = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        ms = Math.min(ms, await counted(sink, n, `smtp-source ${flags.join(' ')}`, () => timeProgram(source, [...flags, '-s', '20', '-l', String(messageBytes), '-m', String(n), target])));
      }
      return rate(n, ms);
    };
    smtpSource = await best([]);
    smtpSourceKeepalive = await best(['-d']);
  }
  const compose = await measureCompose(sink, variant, n);
  const raw = await counted(sink, n + warmUpCount(n), 'nodemailer raw', () => runChild<BaselineResult>('./nodemailer-baseline.ts', baselineJob(sink, 'raw', variant, n)));
  return { messageBytes, smtpSource, smtpSourceKeepalive, compose: rate(n, compose.ms), raw: rate(n, raw.ms), pool: compose.pool, composeMaxRssKb: compose.maxRssKb, composeCpuUs: compose.cpuUs / n };
}

const baselineJob = (sink: Sink, mode: BaselineJob['mode'], variant: Variant, n: number): BaselineJob => ({ mode, host: sink.host, port: sink.port, variant, n, outstanding: 100 });

/** nodemailer composing each message: the baseline of the end-to-end goal. */
const measureCompose = (sink: Sink, variant: Variant, n: number) =>
  counted(sink, n + warmUpCount(n), 'nodemailer composing', () => runChild<BaselineResult>('./nodemailer-baseline.ts', baselineJob(sink, 'compose', variant, n)));

const CALLERS = 16;

async function measureProduct(sink: Sink, dialect: Dialect, mode: ProductJob['mode'], variant: Variant, n: number, callers: number): Promise<ProductResult> {
  const env = await createBenchEnv(dialect, sink);
  try {
    const job: ProductJob = { mode, spec: env.spec, variant, n, callers };
    const what = `Mailroom ${mode} on ${dialect} (${callers} caller${callers > 1 ? 's' : ''})`;
    const warm = mode === 'phases' || mode === 'serve' ? warmUpCount(n) : 0;
    const result = await counted(sink, n + warm, what, () => runChild<ProductResult>('./product.ts', job, { nodeFlags: productFlags }));
    if (result.sent !== n) throw new Error(`${what}: ${result.sent} of ${n} sent`);
    return result;
  } finally {
    await env.dispose();
  }
}

/** Hand-in in one process and a distributor worker in another, on the same database. */
async function measureTwoProcesses(sink: Sink, dialect: Dialect, variant: Variant, n: number, callers: number) {
  const env = await createBenchEnv(dialect, sink);
  try {
    const job = (mode: ProductJob['mode']): ProductJob => ({ mode, spec: env.spec, variant, n, callers });
    const what = `Mailroom hand-in + worker processes on ${dialect}`;
    const [handIn, worker] = await counted(sink, n, what, () => Promise.all([
      runChild<ProductResult>('./product.ts', job('handin'), { nodeFlags: productFlags }),
      runChild<ProductResult>('./product.ts', job('worker'), { nodeFlags: productFlags }),
    ]));
    if (worker.sent !== n) throw new Error(`${what}: ${worker.sent} of ${n} sent`);
    return { endToEndMs: worker.finishedAtMs - handIn.startedAtMs, handIn, worker };
  } finally {
    await env.dispose();
  }
}

function goal(label: string, value: number | undefined, target: number): string {
  if (value === undefined) return `  ${label}: n/a`;
  // Two decimals, unless they would round a miss up to the goal itself.
  const shown = value < target && value.toFixed(2) === target.toFixed(2) ? value.toFixed(3) : value.toFixed(2);
  return `  ${label}: ${shown}× (goal ≥ ${target.toFixed(2)}×: ${value >= target ? 'met' : 'NOT met'})`;
}

const row = (label: string, value: string, note = '') => `    ${label.padEnd(52)}${value.padStart(12)}${note ? `   ${note}` : ''}`;

async function benchVariant(sink: Sink, dialects: Dialect[], variant: Variant): Promise<void> {
  const n = variant === 'text' ? N : N_ATTACH;
  const what = variant === 'text'
    ? `${n} emails with a 4 KiB text body`
    : `${n} emails with a 4 KiB text body and a 20 KiB attachment${n !== N ? ` (N reduced from ${N} to keep the run short)` : ''}`;
  log(`\n══ ${what} ══`);
  const base = await measureBaselines(sink, variant, n);
  log(`message size ${base.messageBytes} bytes; nodemailer ${base.pool}`);
  log(`warm-up: ${warmUpCount(n)} emails sent before each nodemailer and one-process Mailroom measurement, not counted in it (none in the two-process runs)`);
  log(row('smtp-source -s 20, a session per message', fmtRate(base.smtpSource), '← the loopback SMTP limit (best of 3)'));
  log(row('smtp-source -s 20 -d, sessions kept open', fmtRate(base.smtpSourceKeepalive), '(best of 3)'));
  log(row('nodemailer pooled, composing each message', fmtRate(base.compose)));
  log(row('nodemailer pooled, pre-built raw messages', fmtRate(base.raw)));
  for (const dialect of dialects) {
    const one = await measureProduct(sink, dialect, 'phases', variant, n, 1);
    const many = await measureProduct(sink, dialect, 'phases', variant, n, CALLERS);
    const quarter = variant === 'text' ? await measureProduct(sink, dialect, 'phases', variant, Math.round(n / 4), 1) : undefined;
    // The end-to-end baseline again, right before the runs it is compared with: other work on the
    // machine changes from minute to minute, and each ratio uses the mean of this and the first.
    const composeNear = await measureCompose(sink, variant, n);
    const compose = (base.compose + rate(n, composeNear.ms)) / 2;
    const serve = await measureProduct(sink, dialect, 'serve', variant, n, CALLERS);
    const split = await measureTwoProcesses(sink, dialect, variant, n, CALLERS);
    // Both phase runs drain a queue of N with the same pass: (b) is their mean.
    const delivery = rate(n, (one.deliveryMs + many.deliveryMs) / 2);
    const e2eServe = rate(n, serve.endToEndMs);
    const e2eSplit = rate(n, split.endToEndMs);
    const e2eSum = rate(n, many.handInMs + many.deliveryMs);
    log(`\n  Mailroom on ${dialect}`);
    log(row('(a) hand-in, queueEmail, 1 caller', fmtRate(rate(n, one.handInMs))));
    log(row(`(a) hand-in, queueEmail, ${CALLERS} concurrent callers`, fmtRate(rate(n, many.handInMs))));
    log(row('(b) delivery, runDistributorPass', fmtRate(delivery), `(mean of ${fmtRate(rate(n, one.deliveryMs))} and ${fmtRate(rate(n, many.deliveryMs))})`));
    log(row(`(c) end to end, N / (a time + b time), ${CALLERS} callers`, fmtRate(e2eSum)));
    log(row(`(c) end to end, ${CALLERS} callers + serve loop at once`, fmtRate(e2eServe), '(`mailroom serve`: distributor kicked by email:queued)'));
    log(row('(c) end to end, hand-in process + worker process', fmtRate(e2eSplit), `(${CALLERS} callers; the worker runs passes back to back)`));
    log(`  nodemailer composing, measured again before the end-to-end runs: ${fmtRate(rate(n, composeNear.ms))} (the ratios below use the mean, ${fmtRate(compose)})`);
    log(goal('end to end (serve, one process) ÷ nodemailer composing', e2eServe / compose, 1.0));
    log(goal('end to end (hand-in + worker processes) ÷ nodemailer composing', e2eSplit / compose, 1.0));
    log(`  end to end (a+b) ÷ nodemailer composing: ${(e2eSum / compose).toFixed(2)}×`);
    log(goal('delivery ÷ smtp-source limit', base.smtpSource && delivery / base.smtpSource, 0.25));
    if (base.smtpSourceKeepalive) log(`  delivery ÷ smtp-source -d: ${(delivery / base.smtpSourceKeepalive).toFixed(2)}×`);
    log(`  delivery ÷ nodemailer raw: ${(delivery / base.raw).toFixed(2)}×`);
    log(`  peak RSS (maxRSS) of the product process: ${mib(one.maxRssKb)} (after set-up ${mib(one.rssAfterSetupKb)}, hand-in peak ${mib(one.rssPeakHandInKb)}, delivery peak ${mib(one.rssPeakDeliveryKb)}); `
      + `${mib(many.maxRssKb)} with ${CALLERS} callers; ${mib(serve.maxRssKb)} in the serve run; ${mib(split.handIn.maxRssKb)} and ${mib(split.worker.maxRssKb)} for hand-in and worker processes`);
    const cpuPerEmail = (r: ProductResult) => Math.round(r.cpuUs / n);
    const nodemailerCpu = Math.round((base.composeCpuUs + composeNear.cpuUs / n) / 2);
    log(`  CPU per email (µs, user + system; less skewed by other work than the rates): nodemailer composing ${nodemailerCpu}; `
      + `phases (hand-in + delivery) ${cpuPerEmail(one)} with 1 caller, ${cpuPerEmail(many)} with ${CALLERS}; serve ${cpuPerEmail(serve)} (÷ nodemailer ${(cpuPerEmail(serve) / nodemailerCpu).toFixed(2)}×); `
      + `hand-in process ${cpuPerEmail(split.handIn)} + worker process ${cpuPerEmail(split.worker)}`);
    const nodemailerRssKb = Math.max(base.composeMaxRssKb, composeNear.maxRssKb);
    log(`  peak RSS of the nodemailer composing process: ${mib(nodemailerRssKb)}`);
    const rssRatio = serve.maxRssKb / nodemailerRssKb;
    log(`  peak RSS, serve process ÷ nodemailer composing process: ${rssRatio.toFixed(2)}× (goal ≤ 1.00×: ${rssRatio <= 1 ? 'met' : 'NOT met'})`);
    if (quarter) {
      const q = Math.round(n / 4);
      const growth = one.maxRssKb / quarter.maxRssKb;
      log(`  RSS against queue size: maxRSS ${mib(quarter.maxRssKb)} for N/4=${q}, ${mib(one.maxRssKb)} for N=${n}: ${growth.toFixed(2)}× (goal ≤ 1.10×: ${growth <= 1.1 ? 'flat, met' : 'grows, NOT met'})`);
      log(`    heap left after a full GC at the end: ${mib(quarter.heapAfterGcKb)} for N/4, ${mib(one.heapAfterGcKb)} for N`);
      const tenths = (kb: number[]) => kb.map((k) => Math.round(k / 1024)).join(' ');
      log(`    RSS (MiB) in the N run at each tenth queued: ${tenths(one.rssByQueuedKb)}; at each tenth sent: ${tenths(one.rssBySentKb)}`);
      log(`    (N/4 run: hand-in ${fmtRate(rate(q, quarter.handInMs))}, delivery ${fmtRate(rate(q, quarter.deliveryMs))})`);
    }
  }
}

async function main(): Promise<void> {
  const wanted: Dialect[] = args.dialect === 'both' ? [...DIALECTS] : [args.dialect as Dialect];
  const dialects: Dialect[] = [];
  for (const d of wanted) {
    if (d === 'postgres' && !(await postgresReachable())) { log('PostgreSQL is not reachable: skipping the postgres measurements.'); continue; }
    dialects.push(d);
  }
  const postfix = args['node-sink'] ? undefined : ensurePostfixTools();
  const sink = await startSink(args['node-sink'] ? 'node' : 'postfix');
  try {
    if (postfix) log(postfix.note);
    log(`Mailroom outbound benchmark, ${new Date().toISOString()}`);
    log(`Node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? 'unknown'}), dialects: ${dialects.join(', ') || 'none'}`);
    log(`sink: ${sink.kind} on ${sink.host}:${sink.port}`);
    if (!findPostfixTool('smtp-source')) log('smtp-source is not installed: the loopback limit and its ratio are n/a.');
    if (args['cpu-prof']) log(`CPU profiles of the Mailroom processes go to ${profileDir}`);
    log(`load average at the start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on this machine skews every figure)`);
    if (!args['providers-only']) for (const variant of variants) await benchVariant(sink, dialects, variant);
    // --quick leaves the providers out (they double its time) unless --providers asks for them.
    if (args.providers ?? (!args.quick || args['providers-only'])) {
      log('\n══ Microsoft Graph and Exchange against their local fakes, beside SMTP ══');
      for (const variant of variants) await benchProviders(sink, dialects, variant, variant === 'text' ? N : N_ATTACH, log);
    } else {
      log('\n(Microsoft Graph and Exchange left out of --quick: add --providers)');
    }
    log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await sink.close();
  }
}

await main();
