import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export interface FieldProblem {
  /** Dotted path of the field, e.g. smtp.port. */
  readonly field: string;
  readonly message: string;
}

/**
 * A schema's complaints about a value, one per field, in words a person filling a form reads:
 * the allowed range or choices rather than the validator's own terms.
 */
export function schemaProblems(schema: TSchema, value: unknown): FieldProblem[] {
  const byField = new Map<string, string>();
  for (const e of Value.Errors(schema, value)) {
    const field = e.path.slice(1).replace(/\//g, '.');
    if (!byField.has(field)) byField.set(field, describe(e.schema, e.message));
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

function describe(s: TSchema, fallback: string): string {
  if (s.type === 'object' && s.additionalProperties === false) return 'This setting does not exist.';
  if (s.type === 'integer' || s.type === 'number') {
    const kind = s.type === 'integer' ? 'a whole number' : 'a number';
    if (s.minimum !== undefined && s.maximum !== undefined) return `Enter ${kind} from ${s.minimum} to ${s.maximum}.`;
    if (s.minimum !== undefined) return `Enter ${kind} of at least ${s.minimum}.`;
    return `Enter ${kind}.`;
  }
  if (s.type === 'boolean') return 'Choose yes or no.';
  if (s.type === 'string' && s.maxLength !== undefined) return `Use at most ${s.maxLength} characters.`;
  if (Array.isArray(s.anyOf) && s.anyOf.every((o: TSchema) => o.const !== undefined)) {
    return `Choose one of: ${s.anyOf.map((o: TSchema) => String(o.const)).join(', ')}.`;
  }
  return fallback;
}
