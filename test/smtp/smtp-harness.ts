// One Mailroom on one dialect, a manual clock, and every SMTP server a test starts, closed together.
import { createServer } from 'node:net';
import { getEmail } from '../../src/outbound/outbound.service.ts';
import type { ProviderRegistry } from '../../src/outbound/provider-registry.ts';
import type { User } from '../../src/users/users.service.ts';
import { createTestEnv, ManualClock, type TestDialect, type TestEnv } from '../fixtures/context.ts';
import type { ParametersChange } from '../../src/outbound/email-parameters.ts';
import { newRegistry, pointSmtpAt, seedUsers } from '../fixtures/mailroom.ts';
import { startSmtpServer, type RunningSmtpServer, type SmtpServerOptions } from '../fixtures/smtp-server.ts';

export interface SmtpHarness {
  readonly env: TestEnv;
  readonly clock: ManualClock;
  readonly providers: ProviderRegistry;
  readonly admin: User;
  readonly alice: User;
  /** Starts a server that close() stops. */
  server(options?: SmtpServerOptions): Promise<RunningSmtpServer>;
  /** Points the SMTP settings at a server, starting from no sign-in, STARTTLS and a verified certificate. */
  point(server: { host: string; port: number }, smtp?: ParametersChange['smtp']): Promise<unknown>;
  /** The email as the history page shows it (with its attempt log). */
  view(id: string): ReturnType<typeof getEmail>;
  close(): Promise<void>;
}

const FRESH_SMTP: ParametersChange['smtp'] = { username: '', password: null, authRequired: false, implicitTls: false, verifyCertificate: true };

export async function openHarness(dialect: TestDialect): Promise<SmtpHarness> {
  const clock = new ManualClock();
  const env = await createTestEnv(dialect, { clock });
  const { admin, alice } = await seedUsers(env.ctx);
  const providers = newRegistry(env.ctx);
  const servers: RunningSmtpServer[] = [];
  return {
    env, clock, providers, admin, alice,
    async server(options = {}) {
      const started = await startSmtpServer(options);
      servers.push(started);
      return started;
    },
    point: (server, smtp = {}) => pointSmtpAt(env.ctx, server as RunningSmtpServer, { ...FRESH_SMTP, ...smtp }),
    view: (id) => getEmail(env.ctx, admin, id),
    async close() {
      await providers.close();
      await Promise.all(servers.map((s) => s.close()));
      await env.cleanup();
    },
  };
}

/** A loopback port nothing listens on: taken from the system, then released. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
