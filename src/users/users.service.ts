import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';
import { assertNoLineBreak, isValidAddress, sameAddress } from '../mime/addresses.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from '../security/passwords.ts';
import { PROVIDER_IDS, ROLES, type Database, type ProviderId, type Role } from '../store/tables.ts';
import { assertSignInAllowed, clearSignInFailures, recordSignInFailure, throttleKeys } from '../security/sign-in-throttle.ts';
import * as repo from './users.repository.ts';
import { readParameters } from '../outbound/email-parameters.ts';
import { assertSendable } from '../outbound/provider-registry.ts';
import { createUserMailbox, followUserEmail } from '../sync/mailboxes.service.ts';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
  readonly language: string;
}

export interface UserOptions {
  /** Blank (null) means: ask which provider to use on every send. */
  readonly providerId: ProviderId | null;
  /** The administrator's override of the user's From address. */
  readonly senderEmail: string | null;
  readonly doNotAskAgain: boolean;
  readonly lastChoice: ProviderId | null;
  readonly sendNotificationsInEmail: boolean;
}

const SESSION_MS = 12 * 3600_000;

export const toUser = (row: repo.UserRow): User => ({
  id: row.id, username: row.username, name: row.name, email: row.email, role: row.role, language: row.language,
});

export interface NewUser {
  readonly username: string;
  readonly name?: string;
  readonly email: string;
  readonly role?: Role;
  readonly password?: string;
  readonly language?: string;
}

export async function createUser(ctx: AppContext, input: NewUser): Promise<User> {
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(input.username)) {
    throw new MailroomError('VALIDATION_FAILED', { message: 'A user name has 1 to 64 letters, digits, dots, dashes, underscores or @.', details: { field: 'username' } });
  }
  const email = checkEmail(input.email);
  const role = input.role ?? 'user';
  if (!ROLES.includes(role)) throw new MailroomError('VALIDATION_FAILED', { message: `Role must be one of: ${ROLES.join(', ')}.`, details: { field: 'role' } });
  if (await repo.findUserByUsername(ctx.db, input.username)) {
    throw new MailroomError('CONFLICT', { message: `The user name ${input.username} is taken.` });
  }
  const name = input.name ?? input.username;
  assertNoLineBreak('Name', name);
  if (input.password !== undefined) checkPassword(input.password);
  if (input.language !== undefined) checkLanguage(input.language);
  const row = {
    id: randomUUID(), username: input.username, name, email, role,
    password_hash: input.password ? await hashPassword(input.password) : null,
    language: input.language ?? 'en-us', created_at: ctx.clock.now(),
  };
  await ctx.db.insertInto('app_user').values(row).execute();
  // Every user has a mailbox, made with the Email settings defaults.
  await createUserMailbox(ctx, row);
  return toUser(row);
}

export async function getUser(ctx: AppContext, id: string): Promise<User> {
  const row = await repo.findUserById(ctx.db, id);
  if (!row) throw new MailroomError('NOT_FOUND', { message: 'No such user.' });
  return toUser(row);
}

export async function findUser(ctx: AppContext, idOrUsername: string): Promise<User> {
  const row = (await repo.findUserById(ctx.db, idOrUsername)) ?? (await repo.findUserByUsername(ctx.db, idOrUsername));
  if (!row) throw new MailroomError('NOT_FOUND', { message: `No user ${idOrUsername}.` });
  return toUser(row);
}

export const listUsers = async (ctx: AppContext) => (await repo.listUsers(ctx.db)).map(toUser);

export interface UserChanges {
  readonly name?: string;
  readonly email?: string;
  readonly role?: Role;
  readonly language?: string;
  readonly password?: string;
}

export async function updateUser(ctx: AppContext, id: string, changes: UserChanges): Promise<User> {
  await getUser(ctx, id);
  const set: Record<string, string> = {};
  if (changes.email !== undefined) set.email = checkEmail(changes.email);
  if (changes.name !== undefined) { assertNoLineBreak('Name', changes.name); set.name = changes.name; }
  if (changes.language !== undefined) set.language = checkLanguage(changes.language);
  if (changes.role !== undefined) {
    if (!ROLES.includes(changes.role)) throw new MailroomError('VALIDATION_FAILED', { message: `Role must be one of: ${ROLES.join(', ')}.`, details: { field: 'role' } });
    set.role = changes.role;
  }
  if (changes.password !== undefined) set.password_hash = await hashPassword(checkPassword(changes.password));
  if (Object.keys(set).length > 0) {
    await ctx.db.transaction().execute(async (trx) => {
      if (set.role !== undefined && set.role !== 'admin') await assertAnotherAdmin(ctx, trx, id);
      await trx.updateTable('app_user').set(set).where('id', '=', id).execute();
      // A new password ends every session and API token the user had.
      if (changes.password !== undefined) await trx.deleteFrom('token').where('user_id', '=', id).execute();
    });
  }
  if (set.email !== undefined) await followUserEmail(ctx, id, set.email);
  return getUser(ctx, id);
}

/**
 * Refuses to take the administrator role from the last user who has it: nobody could give it back.
 * Runs inside the transaction that changes the role. On PostgreSQL the administrators' rows are
 * locked, so two administrators demoting each other at once cannot both pass the check (the second
 * waits, then sees the first one's change); on SQLite a write transaction excludes every other.
 */
async function assertAnotherAdmin(ctx: AppContext, trx: Transaction<Database>, id: string): Promise<void> {
  const query = trx.selectFrom('app_user').select('id').where('role', '=', 'admin').orderBy('id');
  const admins = await (ctx.dialect === 'postgres' ? query.forUpdate() : query).execute();
  if (admins.some((a) => a.id === id) && admins.length === 1) {
    throw new MailroomError('CONFLICT', { message: 'This is the last administrator; make another user an administrator first.', details: { field: 'role' } });
  }
}

export async function getOptions(ctx: AppContext, userId: string): Promise<UserOptions> {
  const row = await repo.findOptions(ctx.db, userId);
  return {
    providerId: row.provider_id,
    senderEmail: row.sender_email,
    doNotAskAgain: row.do_not_ask_again === 1,
    lastChoice: row.last_choice,
    sendNotificationsInEmail: row.send_notifications_email === 1,
  };
}

export async function setOptions(ctx: AppContext, userId: string, changes: Partial<UserOptions>): Promise<UserOptions> {
  await getUser(ctx, userId);
  const current = await getOptions(ctx, userId);
  const next = { ...current, ...changes };
  // Blanking the Email provider ID brings the dialog back, whatever was remembered before.
  if (changes.providerId === null && changes.doNotAskAgain === undefined) next.doNotAskAgain = false;
  for (const field of ['providerId', 'lastChoice'] as const) {
    const v = next[field];
    if (v !== null && !PROVIDER_IDS.includes(v)) {
      throw new MailroomError('UNKNOWN_PROVIDER', { details: { field } });
    }
  }
  // A provider that is not set up would fail every send made with it: refuse the choice now.
  if (changes.providerId) assertSendable(changes.providerId, await readParameters(ctx));
  const senderEmail = next.senderEmail ? checkEmail(next.senderEmail) : null;
  await repo.saveOptions(ctx.db, {
    user_id: userId,
    provider_id: next.providerId,
    sender_email: senderEmail,
    do_not_ask_again: next.doNotAskAgain ? 1 : 0,
    last_choice: next.lastChoice,
    send_notifications_email: next.sendNotificationsInEmail ? 1 : 0,
  });
  return { ...next, senderEmail };
}

// ── Send-As ────────────────────────────────────────────────────────────────────────────────

export async function listSendAs(ctx: AppContext, userId: string): Promise<string[]> {
  return (await repo.listGrants(ctx.db, userId)).map((g) => g.address);
}

export async function grantSendAs(ctx: AppContext, userId: string, address: string): Promise<void> {
  await getUser(ctx, userId);
  const checked = checkEmail(address).toLowerCase();
  await ctx.db.insertInto('send_as_grant').values({ user_id: userId, address: checked, created_at: ctx.clock.now() })
    .onConflict((oc) => oc.doNothing()).execute();
}

export async function revokeSendAs(ctx: AppContext, userId: string, address: string): Promise<void> {
  const result = await ctx.db.deleteFrom('send_as_grant').where('user_id', '=', userId).where('address', '=', address.trim().toLowerCase()).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new MailroomError('NOT_FOUND', { message: `The user has no Send-As grant for ${address}.`, details: { field: 'address', value: address } });
}

/** The user's default From: the Sender email option when set, else the Email on the user. */
export async function defaultSender(ctx: AppContext, user: User): Promise<string> {
  const options = await getOptions(ctx, user.id);
  return options.senderEmail ?? user.email;
}

/** Throws SEND_AS_DENIED unless the user may put this address in From. */
export async function assertMaySendAs(ctx: AppContext, user: User, address: string): Promise<void> {
  const options = await getOptions(ctx, user.id);
  const allowed = [user.email, options.senderEmail, ...(await listSendAs(ctx, user.id))].filter((a): a is string => Boolean(a));
  if (!allowed.some((a) => sameAddress(a, address))) {
    throw new MailroomError('SEND_AS_DENIED', { message: `${user.username} has no Send-As grant for ${address}.`, details: { user: user.username, address } });
  }
}

// ── sign-in and tokens ─────────────────────────────────────────────────────────────────────

export interface SignInAttempt {
  readonly username: string;
  readonly password: string;
  /** The client's address, so that failures from one address are counted too. */
  readonly address?: string | null;
}

/** Verified against when the user name does not exist, so that both answers take the same work. */
let unknownUserHash: Promise<string> | undefined;

export async function signIn(ctx: AppContext, { username, password, address }: SignInAttempt): Promise<{ token: string; user: User; expiresAt: number }> {
  const keys = throttleKeys(username, address);
  await assertSignInAllowed(ctx.db, ctx.clock.now(), keys);
  const row = await repo.findUserByUsername(ctx.db, username);
  unknownUserHash ??= hashPassword(newToken());
  const matches = await verifyPassword(password, row?.password_hash ?? await unknownUserHash);
  if (!row || !matches) {
    await recordSignInFailure(ctx.db, ctx.clock.now(), keys);
    throw new MailroomError('BAD_CREDENTIALS');
  }
  const now = ctx.clock.now();
  await clearSignInFailures(ctx.db, now, keys);
  await ctx.db.deleteFrom('token').where('expires_at', '<', now).execute();
  const token = newToken();
  const expiresAt = now + SESSION_MS;
  await ctx.db.insertInto('token').values({
    id: randomUUID(), user_id: row.id, token_hash: hashToken(token), kind: 'session', name: 'session', created_at: now, expires_at: expiresAt,
  }).execute();
  return { token, user: toUser(row), expiresAt };
}

/** How many API tokens one user may hold at once. */
export const API_TOKENS_PER_USER = 20;

export interface NewApiToken {
  readonly name: string;
  /** Days until the token stops working; none means it works until revoked. */
  readonly expiresInDays?: number;
}

export async function createApiToken(ctx: AppContext, userId: string, { name, expiresInDays }: NewApiToken): Promise<{ token: string; expiresAt: number | null }> {
  await getUser(ctx, userId);
  assertNoLineBreak('Name', name);
  const held = await ctx.db.selectFrom('token').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId).where('kind', '=', 'api').executeTakeFirstOrThrow();
  if (Number(held.n) >= API_TOKENS_PER_USER) {
    throw new MailroomError('VALIDATION_FAILED', { message: `A user may hold at most ${API_TOKENS_PER_USER} API tokens; revoke one first.`, details: { field: 'name', limit: API_TOKENS_PER_USER } });
  }
  const token = newToken();
  const now = ctx.clock.now();
  const expiresAt = expiresInDays === undefined ? null : now + expiresInDays * 86_400_000;
  await ctx.db.insertInto('token').values({
    id: randomUUID(), user_id: userId, token_hash: hashToken(token), kind: 'api', name, created_at: now, expires_at: expiresAt,
  }).execute();
  return { token, expiresAt };
}

/** Checks a user's own password again (a session minting an API token must know it). */
export async function assertPassword(ctx: AppContext, userId: string, password: string | undefined): Promise<void> {
  const row = await ctx.db.selectFrom('app_user').select('password_hash').where('id', '=', userId).executeTakeFirst();
  if (password === undefined || !row || !(await verifyPassword(password, row.password_hash))) {
    throw new MailroomError('BAD_CREDENTIALS', { message: 'Enter your password again to create an API token.', details: { field: 'password' } });
  }
}

export async function listApiTokens(ctx: AppContext, userId: string) {
  return ctx.db.selectFrom('token').select(['id', 'name', 'created_at as createdAt', 'expires_at as expiresAt'])
    .where('user_id', '=', userId).where('kind', '=', 'api').orderBy('created_at').execute();
}

export async function revokeApiToken(ctx: AppContext, userId: string, tokenId: string): Promise<void> {
  const result = await ctx.db.deleteFrom('token').where('id', '=', tokenId).where('user_id', '=', userId).where('kind', '=', 'api').executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) throw new MailroomError('NOT_FOUND', { message: 'No such API token.' });
}

export interface Authenticated {
  readonly user: User;
  readonly kind: 'session' | 'api';
}

export async function authenticate(ctx: AppContext, token: string): Promise<Authenticated> {
  const row = await ctx.db.selectFrom('token').innerJoin('app_user', 'app_user.id', 'token.user_id')
    .selectAll('app_user').select(['token.expires_at', 'token.kind'])
    .where('token.token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row || (row.expires_at !== null && row.expires_at < ctx.clock.now())) throw new MailroomError('UNAUTHENTICATED');
  return { user: toUser(row), kind: row.kind };
}

/** Ends the token the request came with, a session or an API token alike. */
export async function signOut(ctx: AppContext, token: string): Promise<void> {
  await ctx.db.deleteFrom('token').where('token_hash', '=', hashToken(token)).execute();
}

/** The same rule for the API, the CLI and the console: 8 to 200 characters. */
function checkPassword(password: string): string {
  if (password.length < 8 || password.length > 200) {
    throw new MailroomError('VALIDATION_FAILED', { message: 'A password has 8 to 200 characters.', details: { field: 'password' } });
  }
  return password;
}

/** A language tag such as en-us or de: letters, then dash-separated parts. */
function checkLanguage(language: string): string {
  if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/.test(language)) {
    throw new MailroomError('VALIDATION_FAILED', { message: `"${language}" is not a language code such as en-us or de.`, details: { field: 'language' } });
  }
  return language;
}

function checkEmail(address: string): string {
  const trimmed = address.trim();
  assertNoLineBreak('Email', trimmed);
  if (!isValidAddress(trimmed)) throw new MailroomError('INVALID_ADDRESS', { message: `"${address}" is not a valid email address.`, details: { field: 'email', value: address } });
  return trimmed;
}
