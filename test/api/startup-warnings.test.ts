// `mailroom serve` builds the API with request logging off; building it must not print a
// deprecation warning of a library to the operator's terminal at every start.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildApi } from '../../src/api/app.ts';
import { createTestEnv } from '../fixtures/context.ts';
import { newRegistry } from '../fixtures/mailroom.ts';

it('builds the API with logging on and off without any process warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => { warnings.push(`${w.name}: ${w.message}`); };
  process.on('warning', onWarning);
  const env = await createTestEnv('sqlite');
  const providers = newRegistry(env.ctx);
  try {
    for (const logLevel of ['info', 'silent', 'debug'] as const) {
      const app = await buildApi({ ctx: env.ctx, providers, logLevel, distributor: { kick: () => undefined, runOnce: async () => { throw new Error('not in this test'); } } });
      await app.ready();
      await app.close();
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
  } finally {
    process.off('warning', onWarning);
    await providers.close();
    await env.cleanup();
  }
});
