import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/app.ts';
import { openContext, type AppContext } from '../app-context.ts';
import type { Config } from '../config/config.schema.ts';
import { startCaptureServer, type CaptureServer } from '../demo/capture-server.ts';
import { capturedRoutes } from '../demo/captured.routes.ts';
import { seedDemo, type DemoCredentials } from '../demo/demo-seed.ts';
import { runDistributorPass, startDistributor, type DistributorLoop } from '../outbound/distributor.ts';
import { ProviderRegistry } from '../outbound/provider-registry.ts';
import { createSyncScheduler } from '../sync/scheduler.ts';
import { listUsers } from '../users/users.service.ts';
import { escalateOverdue } from '../workflow/workflow.service.ts';
import { dispatchNotifications } from '../workflow/workflow-notifier.ts';

const WORKFLOW_SWEEP_MS = 60_000;

/**
 * Every minute: hand overdue work items to their escalation users, and queue workflow
 * notifications a crash left pending (their idempotency keys keep a second worker from
 * queuing them twice).
 */
function startWorkflowSweep(ctx: AppContext, log: (line: string) => void): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = (async () => {
      await escalateOverdue(ctx);
      await dispatchNotifications(ctx);
    })().catch((err: unknown) => log(`workflow sweep: ${(err as Error).message}`));
  }, WORKFLOW_SWEEP_MS);
  timer.unref();
  return async () => { clearInterval(timer); await running; };
}

export interface RunningMailroom {
  readonly ctx: AppContext;
  readonly url: string | null;
  readonly app: FastifyInstance | null;
  readonly capture: CaptureServer | null;
  readonly demoCredentials: DemoCredentials[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Serve the API and console; a worker only distributes. */
  readonly api: boolean;
  readonly log?: (line: string) => void;
}

/**
 * `mailroom serve` (API, console and distributor in one process) and `mailroom worker`
 * (distributor only). stop() lets the pass in progress finish before closing the database.
 */
export async function startMailroom(config: Readonly<Config>, { api, log = console.log }: StartOptions): Promise<RunningMailroom> {
  const ctx = await openContext(config);
  const providers = new ProviderRegistry(ctx);
  const capture = api && config.demo ? await startCaptureServer() : null;
  const demoCredentials = capture ? await seedDemo(ctx, capture) : [];
  const loop: DistributorLoop = startDistributor(ctx, providers, {
    onError: (err) => log(`distributor: ${(err as Error).message}`),
  });
  ctx.events.on('email:queued', () => loop.kick());
  const stopSweep = startWorkflowSweep(ctx, log);
  // Server-side synchronization: mailboxes polled under a lease, beside the distributor.
  const scheduler = createSyncScheduler(ctx, { onError: (err) => log(`sync scheduler: ${(err as Error).message}`) });
  scheduler.start();

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (api) {
    app = await buildApi({
      ctx, providers, logger: config.logLevel === 'debug',
      distributor: { kick: () => loop.kick(), runOnce: () => runDistributorPass(ctx, providers) },
      extraRoutes: capture ? (a) => capturedRoutes(a, capture) : undefined,
    });
    url = await app.listen({ host: config.host, port: config.port });
  }
  return {
    ctx, url, app, capture, demoCredentials,
    async stop() {
      await app?.close();
      await loop.stop();
      await stopSweep();
      await scheduler.stop();
      await providers.close();
      await capture?.close();
      await ctx.close();
    },
  };
}

export async function hasAdministrator(ctx: AppContext): Promise<boolean> {
  return (await listUsers(ctx)).some((u) => u.role === 'admin');
}
