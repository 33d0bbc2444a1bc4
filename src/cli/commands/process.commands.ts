import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.ts';
import { openStore } from '../../store/dialect.ts';
import { migrateToLatest } from '../../store/migrations.ts';
import type { RunningMailroom } from '../../runtime/mailroom-process.ts';
import { print } from '../output.ts';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertPortFree } from '../../runtime/port-check.ts';

// The server (Fastify, the console, the demo) loads only for serve and worker, so the other
// commands do not pay for loading them.
const runtime = () => import('../../runtime/mailroom-process.ts');
const CONSOLE_INDEX = fileURLToPath(new URL('../../../web/dist/index.html', import.meta.url));

/** Orchestrators wait 10–30 s after SIGTERM before they kill; Mailroom is gone before 10. */
const STOP_DEADLINE_MS = 8_000;

function stopOnSignal(running: RunningMailroom) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`${signal}: stopping. No new claims; claimed emails not started go back to waiting; sends on the wire finish.`);
    const deadline = setTimeout(() => {
      print(`Stopped after ${STOP_DEADLINE_MS / 1000} s with sends still on the wire: their claims run out after the lease (${running.ctx.leaseMs / 1000} s) and another worker takes them over.`);
      process.exit(0);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    void running.stop().then(() => process.exit(0), (err: unknown) => {
      print(`Stopping failed: ${(err as Error).message}`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function registerProcessCommands(program: Command) {
  program.command('serve').description('API, console and distributor in one process')
    .option('--demo', 'demo mode: a capture mail server on loopback, demo users, sign-in printed once')
    .option('--port <port>').option('--host <host>')
    .action(async (o: { demo?: boolean; port?: string; host?: string }) => {
      const config = loadConfig({ overrides: { ...(o.demo ? { demo: true } : {}), ...(o.port ? { port: Number(o.port) } : {}), ...(o.host ? { host: o.host } : {}) } });
      await assertPortFree(config.host, config.port);
      const { startMailroom, hasAdministrator } = await runtime();
      const running = await startMailroom(config, { api: true });
      stopOnSignal(running);
      print(`Mailroom is running at ${running.url} (${running.ctx.dialect} database${running.ctx.dialect === 'sqlite' ? ` in ${config.dataDir}` : ''}).`);
      if (!existsSync(CONSOLE_INDEX)) print('The console is not built in this checkout, so the address above answers with how to build it: run npm run build:web (npm install does it too).');
      if (running.capture) {
        print(`Demo mode: the SMTP server is the built-in capture server on ${running.capture.host}:${running.capture.port}; see Captured mail in the console.`);
        print('Sign in with (these passwords are new on every demo start and shown only now):');
        for (const c of running.demoCredentials) print(`  ${c.username.padEnd(6)} ${c.password}`);
        print(`Send a first email: open ${running.url}, sign in as admin, choose Send email; or from another terminal:`);
        print('  npm run mailroom -- send --to someone@example.test --subject Hello --body "First email"');
      } else {
        print('Production mode: demo data and the capture mail server are off (start with --demo or MAILROOM_DEMO=1 to try Mailroom).');
        if (!(await hasAdministrator(running.ctx))) {
          print('There is no administrator yet. Create one: npm run mailroom -- users add --username admin --email you@example.com --role admin --password ...');
        }
      }
    });

  program.command('worker').description('the distributor and the synchronization scheduler, without the API: run as many as you like against one PostgreSQL')
    .action(async () => {
      const config = loadConfig();
      const running = await (await runtime()).startMailroom(config, { api: false });
      stopOnSignal(running);
      print(`Mailroom worker ${config.workerId} is distributing email and synchronizing mailboxes (${running.ctx.dialect}).`);
    });

  program.command('migrate').description('bring the database schema up to date')
    .action(async () => {
      const config = loadConfig();
      const store = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrateToLatest(store);
        print(applied.length ? `applied ${applied.join(', ')}` : 'the database is up to date');
      } finally {
        await store.close();
      }
    });
}
