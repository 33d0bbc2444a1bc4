import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { AppContext } from '../app-context.ts';
import { schemaProblems } from '../config/schema-problems.ts';
import { MailroomError } from '../errors.ts';
import { readSetting, writeSetting } from './settings.repository.ts';

export const DistributorSettingsSchema = Type.Object({
  /** Batch processing: when off, queued email waits. */
  enabled: Type.Boolean({ default: true }),
  /** How often the distributor runs, in seconds. */
  recurrenceSeconds: Type.Integer({ minimum: 5, maximum: 86_400, default: 60 }),
}, { additionalProperties: false });
export type DistributorSettings = Static<typeof DistributorSettingsSchema>;

export interface DistributorRun {
  readonly at: number;
  readonly worker: string;
  readonly claimed: number;
  readonly sent: number;
  readonly failed: number;
  readonly retried: number;
  readonly deferred: number;
  readonly expired: number;
  readonly purged: number;
}

export async function readDistributorSettings(ctx: AppContext): Promise<DistributorSettings> {
  return Value.Default(DistributorSettingsSchema, (await readSetting<unknown>(ctx.db, 'distributor')) ?? {}) as DistributorSettings;
}

export async function updateDistributorSettings(ctx: AppContext, change: Partial<DistributorSettings>): Promise<DistributorSettings> {
  const next = { ...(await readDistributorSettings(ctx)), ...change };
  const problems = schemaProblems(DistributorSettingsSchema, next);
  if (problems.length > 0) throw new MailroomError('INVALID_PARAMETER', { message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), details: problems });
  await writeSetting(ctx.db, 'distributor', next, ctx.clock.now());
  return next;
}

export const readLastRun = (ctx: AppContext) => readSetting<DistributorRun>(ctx.db, 'distributor_last_run');
export const writeLastRun = (ctx: AppContext, run: DistributorRun) => writeSetting(ctx.db, 'distributor_last_run', run, run.at);

export async function distributorStatus(ctx: AppContext) {
  const settings = await readDistributorSettings(ctx);
  const lastRun = (await readLastRun(ctx)) ?? null;
  const nextRunAt = settings.enabled ? (lastRun ? lastRun.at + settings.recurrenceSeconds * 1000 : ctx.clock.now()) : null;
  return { ...settings, lastRun, nextRunAt };
}
