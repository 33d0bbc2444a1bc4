// One Mailroom incoming cycle (or one reconciliation) of a mailbox in a process of its own, so its
// peak RSS is its own: reads the configuration from the environment like `mailroom sync --once`
// and prints { ms, cpuMs, maxRssKb, peak, result } as one JSON line (cpuMs: user + system CPU of the
// sync's process, all its threads, which a loaded machine stretches far less than the wall-clock ms;
// peak: the main thread's largest V8 heap and memory outside it, sampled every 50 ms).
import { openContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { reconcileNow, syncMailboxNow } from '../../src/sync/incoming/sync-now.ts';
import { findUser } from '../../src/users/users.service.ts';

const [mailbox, username, mode] = process.argv.slice(2) as [string, string, string | undefined];
const ctx = await openContext(loadConfig(), { migrate: false });
try {
  const user = await findUser(ctx, username);
  const peak = { heapUsed: 0, external: 0 };
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
  }, 50);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = mode === 'reconcile' ? await reconcileNow(ctx, user, mailbox) : (await syncMailboxNow(ctx, user, mailbox, { reconcile: false })).result;
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(sample);
  process.stdout.write(JSON.stringify({ ms: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS, peak, result }) + '\n');
} finally {
  await ctx.close();
}
