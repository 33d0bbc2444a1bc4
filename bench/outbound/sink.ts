// The receiving side of every measurement: Postfix's smtp-sink where it is installed (a C server
// that discards mail, so the client is what gets measured), else Node's smtp-server.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Sink {
  readonly kind: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Messages accepted since the sink started. */
  delivered(): number;
  close(): Promise<void>;
}

/** The first executable among the usual places of a Postfix test program, or undefined. */
export function findPostfixTool(name: string): string | undefined {
  const dirs = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')];
  for (const dir of dirs) {
    const path = `${dir}/${name}`;
    try { accessSync(path, constants.X_OK); return path; } catch { /* next */ }
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Postfix's smtp-sink when installed (unless `node` is asked for), else Node's smtp-server. */
export async function startSink(prefer: 'postfix' | 'node' = 'postfix'): Promise<Sink> {
  const path = prefer === 'postfix' ? findPostfixTool('smtp-sink') : undefined;
  return path ? startPostfixSink(path) : startNodeSink(prefer === 'node' ? 'asked for with --node-sink' : 'Postfix smtp-sink is not installed');
}

async function startPostfixSink(path: string): Promise<Sink> {
  const port = await freePort();
  // Run as root, smtp-sink insists on dropping to another user once its socket is open.
  const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  // -c prints "sess=… quit=… mesg=…" counters after every message; the last mesg= is the count.
  const child: ChildProcess = spawn(path, ['-c', ...asRoot, `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let delivered = 0;
  let tail = '';
  let errors = '';
  child.stdout!.setEncoding('latin1').on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-200);
    const all = [...tail.matchAll(/mesg=(\d+)/g)];
    if (all.length > 0) delivered = Number(all.at(-1)![1]);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { errors += chunk; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Should this process die without closing the sink, do not leave smtp-sink running.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  await waitForListener(port, () => child.exitCode !== null ? `smtp-sink exited: ${errors.trim()}` : undefined);
  return {
    kind: `Postfix smtp-sink (${path})`,
    host: '127.0.0.1',
    port,
    delivered: () => delivered,
    async close() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startNodeSink(why: string): Promise<Sink> {
  let delivered = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, _session, callback) {
      stream.on('data', () => { /* discard */ });
      stream.on('end', () => { delivered++; callback(); });
    },
  });
  server.on('error', () => { /* a client dropping the line is no concern of the sink */ });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    kind: `Node's smtp-server (${why}), in the benchmark's own process`,
    host: '127.0.0.1',
    port,
    delivered: () => delivered,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitForListener(port: number, failed: () => string | undefined): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}
