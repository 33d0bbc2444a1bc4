import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { plainSentence, type Problem } from '../api/validation-messages.ts';
import { Value } from '@sinclair/typebox/value';
import { MailroomError } from '../errors.ts';
import { ConfigSchema, ENV_KEYS, type Config } from './config.schema.ts';

export interface LoadConfigOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Values that win over the environment and the file (command-line flags). */
  readonly overrides?: Partial<Config>;
}

/**
 * Reads the optional JSON file named by MAILROOM_CONFIG, then the environment, then overrides,
 * and checks the result once. Every bad value is reported in one error.
 */
export function loadConfig({ env = process.env, overrides = {} }: LoadConfigOptions = {}): Readonly<Config> {
  const fromFile = env.MAILROOM_CONFIG ? readConfigFile(env.MAILROOM_CONFIG) : {};
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') fromEnv[key] = coerce(key as keyof Config, raw);
  }
  const merged = Value.Default(ConfigSchema, { ...fromFile, ...fromEnv, ...stripUndefined(overrides) });
  // The same plain sentences as the API's refusals (validation-messages.ts), naming the variable to change.
  const problems = [...Value.Errors(ConfigSchema, merged)].map((e) => {
    const key = e.path.slice(1) as keyof Config;
    const source = ENV_KEYS[key] ? ` (${ENV_KEYS[key]})` : '';
    const sentence = plainSentence({ field: key, keyword: e.value === undefined ? 'required' : 'type', schema: e.schema as Problem['schema'] });
    return `${e.path || '/'}${source}: ${sentence}`;
  });
  const config = merged as Config;
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    problems.push('/databaseUrl (DATABASE_URL): must be a postgres:// URL, or empty for the embedded database');
  }
  if (config.secretKey && Buffer.from(config.secretKey, 'base64').length !== 32) {
    problems.push('/secretKey (MAILROOM_SECRET_KEY): must be 32 bytes written in base64');
  }
  if (problems.length > 0) {
    throw new MailroomError('CONFIG_INVALID', { message: `Configuration is not valid:\n  ${problems.join('\n  ')}`, details: problems });
  }
  return Object.freeze({ ...config, workerId: config.workerId || `${hostname()}:${process.pid}` });
}

function coerce(key: keyof Config, raw: string): unknown {
  if (key === 'port' || key === 'leaseSeconds') return /^\d+$/.test(raw) ? Number(raw) : raw;
  if (key === 'demo') return ['1', 'true', 'yes'].includes(raw.toLowerCase()) ? true : ['0', 'false', 'no'].includes(raw.toLowerCase()) ? false : raw;
  return raw;
}

function readConfigFile(path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the file must hold a JSON object');
    return parsed as Record<string, unknown>;
  } catch (cause) {
    throw new MailroomError('CONFIG_INVALID', { message: `Cannot read the configuration file ${path}: ${(cause as Error).message}`, cause });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
