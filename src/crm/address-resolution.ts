// Which records an email address belongs to, in the order of the reference (§2.4 item 38):
// users, contacts, accounts, leads, then queues. Inactive records and queues are not matched.
// One exception to that order: when the tracking user owns a contact, account or lead with the
// same address as a user, that record comes first, so a colleague's private contact card wins.
import type { Kysely } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { Database } from '../store/tables.ts';
import { EMAIL_COLUMNS } from './crm-record.ts';

export const RESOLVED_TYPES = ['user', 'contact', 'account', 'lead', 'queue'] as const;
export type ResolvedType = (typeof RESOLVED_TYPES)[number];

export interface ResolvedRecord {
  readonly type: ResolvedType;
  readonly id: string;
  readonly name: string;
}

export interface AddressResolution {
  readonly address: string;
  /** Every match, users first, then contacts, accounts, leads, queues; empty when unresolved. */
  readonly records: readonly ResolvedRecord[];
}

const CHUNK = 400;

type Match = { address: string; id: string; name: string; ownerId?: string | null };

async function inChunks(all: readonly string[], find: (chunk: string[]) => Promise<Match[]>): Promise<Match[]> {
  const out: Match[] = [];
  for (let i = 0; i < all.length; i += CHUNK) out.push(...(await find(all.slice(i, i + CHUNK))));
  return out;
}

// The lookups, one per kind of record, for a chunk of lowered addresses. Each compares
// lower(column) IN (…), exactly the expression of an index of its own (lower(email1..3) on accounts,
// contacts and leads, lower(email) on users and queues), so none reads its whole table;
// test/crm/address-resolution-indexes.test.ts checks the plans on both dialects.

export function recordLookup(db: Kysely<Database>, table: 'contact' | 'account' | 'lead', chunk: readonly string[]) {
  return db.selectFrom(table).select(['id', 'name', 'owner_id', ...EMAIL_COLUMNS]).where('state', '=', 'active')
    .where((eb) => eb.or(EMAIL_COLUMNS.map((c) => eb(eb.fn('lower', [c]), 'in', chunk))))
    .orderBy('created_at').orderBy('id');
}

export function queueLookup(db: Kysely<Database>, chunk: readonly string[]) {
  return db.selectFrom('queue').select(['id', 'name', 'email']).where('active', '=', 1)
    .where((eb) => eb(eb.fn('lower', ['email']), 'in', chunk)).orderBy('created_at').orderBy('id');
}

export function userLookup(db: Kysely<Database>, chunk: readonly string[]) {
  return db.selectFrom('app_user').select(['id', 'name', 'email'])
    .where((eb) => eb(eb.fn('lower', ['email']), 'in', chunk)).orderBy('created_at').orderBy('id');
}

async function recordMatches(ctx: AppContext, table: 'contact' | 'account' | 'lead', lowered: readonly string[]): Promise<Match[]> {
  return inChunks(lowered, async (chunk) => {
    const rows = await recordLookup(ctx.db, table, chunk).execute();
    const wanted = new Set(chunk);
    return rows.flatMap((r) => EMAIL_COLUMNS.map((c) => r[c]?.toLowerCase()).filter((a): a is string => !!a && wanted.has(a))
      .map((address) => ({ address, id: r.id, name: r.name, ownerId: r.owner_id })));
  });
}

async function queueMatches(ctx: AppContext, lowered: readonly string[]): Promise<Match[]> {
  return inChunks(lowered, async (chunk) => {
    const rows = await queueLookup(ctx.db, chunk).execute();
    return rows.map((r) => ({ address: r.email.toLowerCase(), id: r.id, name: r.name }));
  });
}

async function userMatches(ctx: AppContext, lowered: readonly string[]): Promise<Match[]> {
  return inChunks(lowered, async (chunk) => {
    const rows = await userLookup(ctx.db, chunk).execute();
    return rows.map((r) => ({ address: r.email.toLowerCase(), id: r.id, name: r.name }));
  });
}

export interface ResolveOptions {
  /** The user whose mail is being tracked: a record they own comes before a user with its address. */
  readonly trackingUserId?: string | null;
}

/** One entry per address given, in the same order, with every record it resolves to. */
export async function resolveAddresses(ctx: AppContext, addresses: readonly string[], options: ResolveOptions = {}): Promise<AddressResolution[]> {
  const lowered = [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter(Boolean))];
  const found = new Map<string, ResolvedRecord[]>();
  const ownedByTracker = new Map<string, ResolvedRecord>();
  const add = (type: ResolvedType, matches: readonly Match[]) => {
    for (const m of matches) {
      const list = found.get(m.address) ?? [];
      if (!list.some((r) => r.type === type && r.id === m.id)) {
        const record = { type, id: m.id, name: m.name };
        list.push(record);
        if (options.trackingUserId && m.ownerId === options.trackingUserId && !ownedByTracker.has(m.address)) ownedByTracker.set(m.address, record);
      }
      found.set(m.address, list);
    }
  };
  if (lowered.length) {
    add('user', await userMatches(ctx, lowered));
    add('contact', await recordMatches(ctx, 'contact', lowered));
    add('account', await recordMatches(ctx, 'account', lowered));
    add('lead', await recordMatches(ctx, 'lead', lowered));
    add('queue', await queueMatches(ctx, lowered));
  }
  for (const [address, owned] of ownedByTracker) {
    const list = found.get(address)!;
    if (list[0]?.type === 'user') found.set(address, [owned, ...list.filter((r) => r !== owned)]);
  }
  return addresses.map((address) => ({ address, records: found.get(address.trim().toLowerCase()) ?? [] }));
}
