// One Mailroom measurement in a process of its own, so its peak RSS is its own. Reads a JSON job
// from argv, prints one `RESULT {json}` line.
//   phases  hand in N emails with queueEmail, then drain them with runDistributorPass
//   serve   hand in N emails while the distributor loop of `mailroom serve` runs in the same
//           process (kicked by email:queued, as src/runtime/mailroom-process.ts wires it)
//   handin  only hand in N emails (the other half of `worker`)
//   worker  a distributor in a process of its own, running passes back to back until N are sent
// Hand-in runs `callers` loops at once, as concurrent API requests or processes would.
import { runDistributorPass, startDistributor } from '../../src/outbound/distributor.ts';
import { queueEmail } from '../../src/outbound/outbound.service.ts';
import { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import { getUser, type User } from '../../src/users/users.service.ts';
import type { AppContext } from '../../src/app-context.ts';
import { openBenchContext, type EnvSpec } from './bench-env.ts';
import { benchEmail, warmUpCount, type Variant } from './content.ts';
import { startRssSampler } from './rss.ts';

export interface ProductJob {
  readonly mode: 'phases' | 'serve' | 'handin' | 'worker';
  readonly spec: EnvSpec;
  readonly variant: Variant;
  readonly n: number;
  /** Hand-ins in flight at once: 1 is one caller in a loop. */
  readonly callers: number;
}

export interface ProductResult {
  readonly handInMs: number;
  /** phases: the distributor pass; serve: from the first hand-in until the last email is sent. */
  readonly deliveryMs: number;
  readonly endToEndMs: number;
  readonly sent: number;
  /** Wall-clock bounds of the measured part (epoch ms), to join the two processes of a run. */
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly maxRssKb: number;
  readonly rssAfterSetupKb: number;
  readonly rssPeakHandInKb: number;
  readonly rssPeakDeliveryKb: number;
  /** CPU time (user + system, µs) of this process in the measured part: less skewed by other work than wall time. */
  readonly cpuUs: number;
  /** V8 heap in use after a full collection at the end: what the run left behind. */
  readonly heapAfterGcKb: number;
  /** RSS (KiB) each time another tenth of the emails was queued, then sent. */
  readonly rssByQueuedKb: number[];
  readonly rssBySentKb: number[];
}

/** Samples RSS each time another tenth of `n` events has happened. */
function rssEveryTenth(ctx: AppContext, event: 'email:queued' | 'email:sent', n: number): number[] {
  const samples: number[] = [];
  const step = Math.max(1, Math.floor(n / 10));
  let count = 0;
  ctx.events.on(event, () => {
    if (++count % step === 0) samples.push(Math.round(process.memoryUsage.rss() / 1024));
  });
  return samples;
}

async function handInAll(ctx: AppContext, user: User, job: ProductJob): Promise<void> {
  let next = 0;
  const caller = async () => {
    while (next < job.n) await queueEmail(ctx, user, benchEmail(job.variant, next++));
  };
  await Promise.all(Array.from({ length: job.callers }, caller));
}

const epochMs = () => performance.timeOrigin + performance.now();

async function runHandInOnly(ctx: AppContext, user: User, job: ProductJob) {
  const sampler = startRssSampler();
  const startedAtMs = epochMs();
  await handInAll(ctx, user, job);
  const finishedAtMs = epochMs();
  const rssPeakHandInKb = sampler.takePeak();
  sampler.stop();
  const handInMs = finishedAtMs - startedAtMs;
  return { handInMs, deliveryMs: 0, endToEndMs: handInMs, sent: 0, startedAtMs, finishedAtMs, rssPeakHandInKb, rssPeakDeliveryKb: 0 };
}

/** Passes back to back, as a `mailroom worker` that always finds work; a short nap when idle. */
async function runWorker(ctx: AppContext, job: ProductJob, providers: ProviderRegistry) {
  const sampler = startRssSampler();
  let sent = 0;
  let startedAtMs = 0;
  while (sent < job.n) {
    const run = await runDistributorPass(ctx, providers);
    if (run.failed + run.expired > 0) throw new Error(`the worker failed ${run.failed} and expired ${run.expired} emails`);
    if (run.claimed > 0 && startedAtMs === 0) startedAtMs = epochMs();
    sent += run.sent;
    if (run.claimed === 0) await new Promise((r) => setTimeout(r, 5));
  }
  const finishedAtMs = epochMs();
  const rssPeakDeliveryKb = sampler.takePeak();
  sampler.stop();
  return { handInMs: 0, deliveryMs: finishedAtMs - startedAtMs, endToEndMs: 0, sent, startedAtMs, finishedAtMs, rssPeakHandInKb: 0, rssPeakDeliveryKb };
}

async function runPhases(ctx: AppContext, user: User, job: ProductJob, providers: ProviderRegistry) {
  const sampler = startRssSampler();
  const t0 = epochMs();
  await handInAll(ctx, user, job);
  const t1 = epochMs();
  const rssPeakHandInKb = sampler.takePeak();
  const run = await runDistributorPass(ctx, providers);
  const t2 = epochMs();
  const rssPeakDeliveryKb = sampler.takePeak();
  sampler.stop();
  return { handInMs: t1 - t0, deliveryMs: t2 - t1, endToEndMs: t2 - t0, sent: run.sent, startedAtMs: t0, finishedAtMs: t2, rssPeakHandInKb, rssPeakDeliveryKb };
}

async function runServe(ctx: AppContext, user: User, job: ProductJob, providers: ProviderRegistry) {
  const sampler = startRssSampler();
  let sent = 0;
  let failure: unknown;
  const done = Promise.withResolvers<void>();
  ctx.events.on('email:sent', () => { if (++sent === job.n) done.resolve(); });
  ctx.events.on('email:failed', (id, code) => done.reject(new Error(`email ${id} failed: ${code}`)));
  const loop = startDistributor(ctx, providers, { onError: (err) => { failure = err; done.reject(err); } });
  ctx.events.on('email:queued', () => loop.kick());
  const t0 = epochMs();
  await handInAll(ctx, user, job);
  const t1 = epochMs();
  const rssPeakHandInKb = sampler.takePeak();
  await done.promise;
  const t2 = epochMs();
  await loop.stop();
  if (failure) throw failure;
  const rssPeakDeliveryKb = sampler.takePeak();
  sampler.stop();
  return { handInMs: t1 - t0, deliveryMs: t2 - t0, endToEndMs: t2 - t0, sent, startedAtMs: t0, finishedAtMs: t2, rssPeakHandInKb, rssPeakDeliveryKb };
}

/**
 * Warm-up, not measured (phases and serve): hands in and delivers the first emails of the run,
 * so that a short run measures compiled code. The two-process runs have none (their processes
 * would share the warm-up emails).
 */
async function warmUp(ctx: AppContext, user: User, job: ProductJob, providers: ProviderRegistry): Promise<void> {
  const count = warmUpCount(job.n);
  for (let i = 0; i < count; i++) await queueEmail(ctx, user, benchEmail(job.variant, i));
  const run = await runDistributorPass(ctx, providers);
  if (run.sent !== count) throw new Error(`warm-up: ${run.sent} of ${count} sent`);
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as ProductJob;
  const ctx = await openBenchContext(job.spec, `bench-${process.pid}`);
  const providers = new ProviderRegistry(ctx);
  try {
    const user = await getUser(ctx, job.spec.userId);
    const rssAfterSetupKb = Math.round(process.memoryUsage.rss() / 1024);
    if (job.mode === 'phases' || job.mode === 'serve') await warmUp(ctx, user, job, providers);
    const rssByQueuedKb = rssEveryTenth(ctx, 'email:queued', job.n);
    const rssBySentKb = rssEveryTenth(ctx, 'email:sent', job.n);
    const cpuBefore = process.cpuUsage();
    const measured = job.mode === 'phases' ? await runPhases(ctx, user, job, providers)
      : job.mode === 'serve' ? await runServe(ctx, user, job, providers)
        : job.mode === 'handin' ? await runHandInOnly(ctx, user, job)
          : await runWorker(ctx, job, providers);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuUs = cpu.user + cpu.system;
    const maxRssKb = process.resourceUsage().maxRSS;
    (globalThis as { gc?: () => void }).gc?.();
    const heapAfterGcKb = Math.round(process.memoryUsage().heapUsed / 1024);
    const result: ProductResult = { ...measured, rssAfterSetupKb, maxRssKb, cpuUs, heapAfterGcKb, rssByQueuedKb, rssBySentKb };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await providers.close();
    await ctx.close();
  }
}

await main();
