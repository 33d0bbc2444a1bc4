// Which records an email address belongs to, in the order of the reference (§2.4 item 38):
// users, contacts, accounts, leads, then queues. Inactive records and queues are not matched.
import type { AppContext } from '../app-context.ts';
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

type Match = { address: string; id: string; name: string };

async function inChunks(all: readonly string[], find: (chunk: string[]) => Promise<Match[]>): Promise<Match[]> {
  const out: Match[] = [];
  for (let i = 0; i < all.length; i += CHUNK) out.push(...(await find(all.slice(i, i + CHUNK))));
  return out;
}

async function recordMatches(ctx: AppContext, table: 'contact' | 'account' | 'lead', lowered: readonly string[]): Promise<Match[]> {
  return inChunks(lowered, async (chunk) => {
    const rows = await ctx.db.selectFrom(table).select(['id', 'name', ...EMAIL_COLUMNS]).where('state', '=', 'active')
      .where((eb) => eb.or(EMAIL_COLUMNS.map((c) => eb(eb.fn('lower', [c]), 'in', chunk))))
      .orderBy('created_at').orderBy('id').execute();
    const wanted = new Set(chunk);
    return rows.flatMap((r) => EMAIL_COLUMNS.map((c) => r[c]?.toLowerCase()).filter((a): a is string => !!a && wanted.has(a))
      .map((address) => ({ address, id: r.id, name: r.name })));
  });
}

async function queueMatches(ctx: AppContext, lowered: readonly string[]): Promise<Match[]> {
  return inChunks(lowered, async (chunk) => {
    const rows = await ctx.db.selectFrom('queue').select(['id', 'name', 'email']).where('active', '=', 1)
      .where((eb) => eb(eb.fn('lower', ['email']), 'in', chunk)).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ address: r.email.toLowerCase(), id: r.id, name: r.name }));
  });
}

async function userMatches(ctx: AppContext, lowered: readonly string[]): Promise<Match[]> {
  return inChunks(lowered, async (chunk) => {
    const rows = await ctx.db.selectFrom('app_user').select(['id', 'name', 'email'])
      .where((eb) => eb(eb.fn('lower', ['email']), 'in', chunk)).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ address: r.email.toLowerCase(), id: r.id, name: r.name }));
  });
}

/** One entry per address given, in the same order, with every record it resolves to. */
export async function resolveAddresses(ctx: AppContext, addresses: readonly string[]): Promise<AddressResolution[]> {
  const lowered = [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter(Boolean))];
  const found = new Map<string, ResolvedRecord[]>();
  const add = (type: ResolvedType, matches: readonly Match[]) => {
    for (const m of matches) {
      const list = found.get(m.address) ?? [];
      if (!list.some((r) => r.type === type && r.id === m.id)) list.push({ type, id: m.id, name: m.name });
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
  return addresses.map((address) => ({ address, records: found.get(address.trim().toLowerCase()) ?? [] }));
}
