import type { AppContext } from '../app-context.ts';
import { updateParameters } from '../outbound/email-parameters.ts';
import { newPassword } from '../security/passwords.ts';
import { createUser, grantSendAs, listUsers, setOptions, updateUser } from '../users/users.service.ts';
import type { CaptureServer } from './capture-server.ts';
import { seedDemoCrm } from './demo-crm-seed.ts';

export interface DemoCredentials {
  readonly username: string;
  /** Only when the account was made (or reset) now; printed once, never stored in clear. */
  readonly password: string;
}

/**
 * Points the SMTP settings at the capture server and makes sure the demo accounts exist. The
 * administrator's password is new on every demo start and printed once.
 */
export async function seedDemo(ctx: AppContext, capture: CaptureServer): Promise<DemoCredentials[]> {
  await updateParameters(ctx, {
    batchProvider: 'smtp',
    smtp: { host: capture.host, port: capture.port, sslRequired: false, authRequired: false, username: '', password: null },
  });
  const existing = new Map((await listUsers(ctx)).map((u) => [u.username, u]));
  const accounts = [
    { username: 'admin', name: 'Avery Admin', email: 'admin@mailroom.demo', role: 'admin' as const },
    { username: 'june', name: 'June Park', email: 'june.park@mailroom.demo', role: 'user' as const },
    { username: 'omar', name: 'Omar Haddad', email: 'omar.haddad@mailroom.demo', role: 'user' as const },
  ];
  const credentials: DemoCredentials[] = [];
  for (const account of accounts) {
    const password = newPassword();
    const user = existing.get(account.username);
    if (user) await updateUser(ctx, user.id, { password });
    else {
      const created = await createUser(ctx, { ...account, password });
      if (account.username === 'june') {
        await setOptions(ctx, created.id, { providerId: null });
        await grantSendAs(ctx, created.id, 'collections@mailroom.demo');
      }
    }
    credentials.push({ username: account.username, password });
  }
  await seedDemoCrm(ctx);
  return credentials;
}
