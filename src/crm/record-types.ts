// The record types an email activity can be regarding, and their display names. Every record of
// the product with its own page counts. Users and queues are named for parties, not regarding.
import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { MailroomError } from '../errors.ts';

export const REGARDING_TYPES = ['account', 'contact', 'lead', 'organization', 'invoice', 'workflow-instance'] as const;
export type RegardingType = (typeof REGARDING_TYPES)[number];

export interface RecordRef {
  readonly type: string;
  readonly id: string;
}

/** Where each type lives and which column names it. */
const SOURCES = {
  account: { table: 'account', label: 'name' },
  contact: { table: 'contact', label: 'name' },
  lead: { table: 'lead', label: 'name' },
  organization: { table: 'organization', label: 'name' },
  invoice: { table: 'invoice', label: 'number' },
  'workflow-instance': { table: 'workflow_instance', label: 'document_title' },
  user: { table: 'app_user', label: 'name' },
  queue: { table: 'queue', label: 'name' },
} as const;
type NamedType = keyof typeof SOURCES;

const isNamed = (type: string): type is NamedType => Object.hasOwn(SOURCES, type);

export function checkRegardingType(type: string): RegardingType {
  if (!REGARDING_TYPES.includes(type as RegardingType)) {
    throw new MailroomError('VALIDATION_FAILED', { message: `A regarding record is one of: ${REGARDING_TYPES.join(', ')}.`, details: { field: 'regarding.type' } });
  }
  return type as RegardingType;
}

/** "account:ID" or a bare id of any regarding type (the first type that has it). */
export async function parseRegarding(ctx: AppContext, value: string): Promise<RecordRef> {
  const colon = value.indexOf(':');
  if (colon > 0) {
    const ref = { type: checkRegardingType(value.slice(0, colon)), id: value.slice(colon + 1) };
    await assertRegardingExists(ctx, ref);
    return ref;
  }
  for (const type of REGARDING_TYPES) {
    if ((await recordNames(ctx, [{ type, id: value }])).size) return { type, id: value };
  }
  throw new MailroomError('VALIDATION_FAILED', { message: `No record ${value} to be regarding.`, details: { field: 'regarding' } });
}

export async function assertRegardingExists(ctx: AppContext, ref: RecordRef): Promise<void> {
  checkRegardingType(ref.type);
  if (!(await recordNames(ctx, [ref])).size) {
    throw new MailroomError('VALIDATION_FAILED', { message: `There is no ${ref.type} ${ref.id} to be regarding.`, details: { field: 'regarding' } });
  }
}

export const refKey = (ref: RecordRef) => `${ref.type}:${ref.id}`;

/** The display name of each record that exists, keyed "type:id"; unknown types and missing records are left out. */
export async function recordNames(ctx: AppContext, refs: readonly RecordRef[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const byType = new Map<NamedType, Set<string>>();
  for (const ref of refs) if (isNamed(ref.type)) byType.set(ref.type, (byType.get(ref.type) ?? new Set()).add(ref.id));
  for (const [type, ids] of byType) {
    const { table, label } = SOURCES[type];
    // The tables differ, the shape (a text id and a text label) does not.
    const { rows } = await sql<{ id: string; label: string }>`select id, ${sql.ref(label)} as label from ${sql.table(table)} where id in (${sql.join([...ids])})`.execute(ctx.db);
    for (const r of rows) names.set(refKey({ type, id: r.id }), r.label);
  }
  return names;
}
