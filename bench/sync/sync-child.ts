// One Mailroom incoming cycle (or one reconciliation) of a mailbox in a process of its own, so its
// peak RSS is its own: reads the configuration from the environment like `mailroom sync --once`
// and prints { ms, cpuMs, maxRssKb, result } as one JSON line (cpuMs: user + system CPU of the sync,
// which a loaded machine stretches far less than the wall-clock ms).
import { openContext } from '../../src/app-context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { reconcileNow, syncMailboxNow } from '../../src/sync/incoming/sync-now.ts';
import { findUser } from '../../src/users/users.service.ts';

const [mailbox, username, mode] = process.argv.slice(2) as [string, string, string | undefined];
const ctx = await openContext(loadConfig(), { migrate: false });
try {
  const user = await findUser(ctx, username);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = mode === 'reconcile' ? await reconcileNow(ctx, user, mailbox) : (await syncMailboxNow(ctx, user, mailbox, { reconcile: false })).result;
  const cpu = process.cpuUsage(cpuStart);
  process.stdout.write(JSON.stringify({ ms: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS, result }) + '\n');
} finally {
  await ctx.close();
}
