// One provider measurement in a process of its own: set the provider's parameters, queue N emails
// (not timed), then time one distributor pass that delivers them. Prints one `RESULT {json}` line.
import { runDistributorPass } from '../../src/outbound/distributor.ts';
import { updateParameters, type ParametersChange } from '../../src/outbound/email-parameters.ts';
import { queueEmail } from '../../src/outbound/outbound.service.ts';
import { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import { getUser } from '../../src/users/users.service.ts';
import { openBenchContext, type EnvSpec } from './bench-env.ts';
import { benchEmail, type Variant } from './content.ts';

export interface ProviderJob {
  readonly spec: EnvSpec;
  readonly parameters: ParametersChange;
  readonly variant: Variant;
  readonly n: number;
}

export interface ProviderResult {
  readonly deliveryMs: number;
  readonly sent: number;
  readonly failed: number;
}

const job = JSON.parse(process.argv[2] ?? '') as ProviderJob;
const ctx = await openBenchContext(job.spec, `bench-${process.pid}`);
const providers = new ProviderRegistry(ctx);
try {
  await updateParameters(ctx, job.parameters);
  const user = await getUser(ctx, job.spec.userId);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < job.n) await queueEmail(ctx, user, benchEmail(job.variant, next++));
  }));
  const t0 = performance.now();
  const run = await runDistributorPass(ctx, providers);
  const result: ProviderResult = { deliveryMs: performance.now() - t0, sent: run.sent, failed: run.failed + run.expired };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
} finally {
  await providers.close();
  await ctx.close();
}
