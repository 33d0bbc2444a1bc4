import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/app.ts';
import type { Operations } from '../api/routes/operations.routes.ts';
import { openContext, type AppContext } from '../app-context.ts';
import type { Config } from '../config/config.schema.ts';
import { startCaptureServer, type CaptureServer } from '../demo/capture-server.ts';
import { capturedRoutes } from '../demo/captured.routes.ts';
import { seedDemo, type DemoCredentials } from '../demo/demo-seed.ts';
import { startClaimHeartbeat } from '../outbound/claim-heartbeat.ts';
import { runDistributorPass, startDistributor, type DistributorLoop } from '../outbound/distributor.ts';
import { ProviderRegistry } from '../outbound/provider-registry.ts';
import { incomingSyncJob } from '../sync/incoming/incoming-job.ts';
import { createSyncScheduler } from '../sync/scheduler.ts';
import { listUsers } from '../users/users.service.ts';
import { escalateOverdue } from '../workflow/workflow.service.ts';
import { dispatchNotifications } from '../workflow/workflow-notifier.ts';
import { DatabaseWatch, LoopMonitor, probeDatabase } from './health.ts';
import { createLogger, errorFields, logEmailChange, logMailboxAlert, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';

const WORKFLOW_SWEEP_MS = 60_000;

/**
 * Every minute: hand overdue work items to their escalation users, and queue workflow
 * notifications a crash left pending (their idempotency keys keep a second worker from
 * queuing them twice).
 */
function startWorkflowSweep(ctx: AppContext, monitor: LoopMonitor, onError: (err: unknown) => void): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  monitor.started(WORKFLOW_SWEEP_MS);
  const timer = setInterval(() => {
    monitor.passStarted();
    running = (async () => {
      await escalateOverdue(ctx);
      await dispatchNotifications(ctx);
    })().then(() => monitor.passEnded(WORKFLOW_SWEEP_MS), (err: unknown) => {
      monitor.passEnded(WORKFLOW_SWEEP_MS, err);
      onError(err);
    });
  }, WORKFLOW_SWEEP_MS);
  timer.unref();
  return async () => { clearInterval(timer); await running; monitor.stopped(); };
}

export interface RunningMailroom {
  readonly ctx: AppContext;
  readonly url: string | null;
  readonly app: FastifyInstance | null;
  readonly capture: CaptureServer | null;
  readonly demoCredentials: DemoCredentials[];
  /**
   * Stops claiming, gives the claimed emails not yet started back to waiting at once, lets the
   * sends on the wire finish and be recorded, then closes everything.
   */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Serve the API and console; a worker only distributes. */
  readonly api: boolean;
  /** Structured (JSON lines) log; by default pino on standard output at the configured level. */
  readonly logger?: Logger;
}

/**
 * `mailroom serve` (API, console and distributor in one process) and `mailroom worker`
 * (distributor only). A database that goes away never stops either: the loops back off and
 * retry, the API answers 503, and everything resumes when it is back.
 */
export async function startMailroom(config: Readonly<Config>, { api, logger = createLogger(config) }: StartOptions): Promise<RunningMailroom> {
  const watch = new DatabaseWatch(logger);
  // A dropped pool connection alone is not an outage (the pool opens another); the queries that
  // fail tell the watch. It is logged, for the operator who wonders about a network blip.
  const ctx = await openContext(config, { onConnectionError: (err) => logger.warn({ kind: 'database-connection', state: 'dropped', ...errorFields(err) }, 'a database connection was dropped') });
  ctx.events.on('email:changed', (change) => logEmailChange(logger, change));
  ctx.events.on('mailbox:alert', (alert) => logMailboxAlert(logger, alert));
  const providers = new ProviderRegistry(ctx);
  const capture = api && config.demo ? await startCaptureServer() : null;
  const demoCredentials = capture ? await seedDemo(ctx, capture) : [];

  const distributorMonitor = new LoopMonitor('distributor', () => ctx.clock.now());
  const sweepMonitor = new LoopMonitor('workflow-sweep', () => ctx.clock.now());
  const loopFailed = (loop: string, startedAt?: () => number) => (err: unknown) => {
    watch.failed(err, startedAt?.());
    logger.error({ kind: 'loop', loop, ...errorFields(err) }, `${loop} pass failed`);
  };
  const heartbeat = startClaimHeartbeat(ctx, { onBeatError: (err, at) => watch.failed(err, at), onBeat: (at) => watch.reachable(at) });
  distributorMonitor.started(0);
  let passStartedAt = watch.now();
  const loop: DistributorLoop = startDistributor(ctx, providers, {
    heartbeat,
    onError: loopFailed('distributor', () => passStartedAt),
    onDatabaseRetry: (err) => watch.failed(err),
    onPass: (event) => {
      if (event.phase === 'start') {
        passStartedAt = watch.now();
        return distributorMonitor.passStarted();
      }
      if (event.error === undefined) watch.reachable(passStartedAt);
      distributorMonitor.passEnded(event.nextInMs, event.error);
    },
  });
  ctx.events.on('email:queued', () => loop.kick());
  const stopSweep = startWorkflowSweep(ctx, sweepMonitor, loopFailed('workflow-sweep'));
  // Server-side synchronization: each due mailbox's incoming cycle under a lease (then IDLE on its
  // Inbox while held), beside the distributor.
  const schedulerMonitor = new LoopMonitor('sync-scheduler', () => ctx.clock.now());
  let schedulerPassAt = watch.now();
  const scheduler = createSyncScheduler(ctx, {
    job: incomingSyncJob(),
    onError: loopFailed('sync-scheduler', () => schedulerPassAt),
    onPass: (event) => {
      if (event.phase === 'start') {
        schedulerPassAt = watch.now();
        return schedulerMonitor.passStarted();
      }
      if (event.error === undefined) watch.reachable(schedulerPassAt);
      schedulerMonitor.passEnded(event.nextInMs, event.error);
    },
  });
  schedulerMonitor.started(0);
  scheduler.start();

  let stopping = false;
  const monitors = [distributorMonitor, sweepMonitor, schedulerMonitor];
  const metrics = createMetrics(ctx, { loops: monitors, watch });
  const operations: Operations = {
    live: () => ({ live: true, pid: process.pid, uptimeSeconds: Math.round(process.uptime()) }),
    async ready() {
      const database = await probeDatabase(ctx, watch);
      const loops = monitors.map((m) => m.snapshot());
      return { ready: !stopping && database.reachable && loops.every((l) => l.alive), stopping, database, loops };
    },
    metrics,
  };

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (api) {
    app = await buildApi({
      ctx, providers, logLevel: config.logLevel, operations,
      distributor: { kick: () => loop.kick(), runOnce: () => runDistributorPass(ctx, providers, { heartbeat }) },
      extraRoutes: capture ? (a) => capturedRoutes(a, capture, ctx) : undefined,
    });
    url = await app.listen({ host: config.host, port: config.port });
  }
  return {
    ctx, url, app, capture, demoCredentials,
    async stop() {
      stopping = true;
      // The distributor gives back its unstarted claims at once; the API finishes its requests.
      await Promise.all([loop.stop(), app?.close()]);
      distributorMonitor.stopped();
      await stopSweep();
      await scheduler.stop();
      schedulerMonitor.stopped();
      // Last: the heartbeat kept the leases of the sends that were finishing.
      await heartbeat.stop();
      await providers.close();
      await capture?.close();
      await ctx.close();
    },
  };
}

export async function hasAdministrator(ctx: AppContext): Promise<boolean> {
  return (await listUsers(ctx)).some((u) => u.role === 'admin');
}
