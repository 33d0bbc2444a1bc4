import type { AppContext } from '../app-context.ts';
import { openContext } from '../app-context.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/config.schema.ts';
import { MailroomError } from '../errors.ts';
import { ProviderRegistry } from '../outbound/provider-registry.ts';
import { findUser, listUsers, type User } from '../users/users.service.ts';

export interface CliContext {
  readonly ctx: AppContext;
  readonly config: Readonly<Config>;
  readonly providers: ProviderRegistry;
}

/** Opens the database for one command and always closes it. */
export async function withCli<T>(fn: (cli: CliContext) => Promise<T>, overrides: Partial<Config> = {}): Promise<T> {
  const config = loadConfig({ overrides });
  const ctx = await openContext(config);
  const providers = new ProviderRegistry(ctx);
  try {
    return await fn({ ctx, config, providers });
  } finally {
    await providers.close();
    await ctx.close();
  }
}

/**
 * Who the command acts as: --user, else MAILROOM_USER, else the first administrator. The CLI runs
 * on the server with the database's own access, so it may pick any user; the user's Send-As
 * rights still apply to what it sends.
 */
export async function actingUser(ctx: AppContext, name: string | undefined): Promise<User> {
  const wanted = name ?? process.env.MAILROOM_USER;
  if (wanted) return findUser(ctx, wanted);
  const all = await listUsers(ctx);
  const admin = all.find((u) => u.role === 'admin');
  if (!admin && all.length === 0) throw new MailroomError('NOT_FOUND', { message: 'There is no user yet. Create one: mailroom users add --username NAME --email ADDRESS --role admin' });
  if (!admin) throw new MailroomError('NOT_FOUND', { message: `There is no administrator (users: ${all.map((u) => u.username).join(', ')}). Act as one of them with --user NAME, or make one an administrator: mailroom users set NAME --role admin` });
  return admin;
}
