// Checks answers against /openapi.json as an integrator's tooling would: the document itself with
// an OpenAPI validator, each answer's status against the statuses the operation declares, and its
// body against the declared schema with a JSON Schema 2020-12 validator (OpenAPI 3.1 schemas are
// JSON Schema 2020-12).
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Answer, Json } from '../fixtures/api.ts';

export const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document, as `METHOD /path` with OpenAPI's {param} placeholders. */
export function operationsOf(doc: Json): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of METHODS) if (item[method]) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

export async function documentProblems(doc: Json): Promise<string | null> {
  const result = await new Validator().validate(structuredClone(doc));
  return result.valid ? null : JSON.stringify(result.errors, null, 2);
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`).join('; ');

/**
 * The document with every object schema closed (additionalProperties: false where it says nothing),
 * for checking what a handler hands to the serializer: a field the schema lacks would be dropped
 * silently on the way out, so the handler's own payload must not have one.
 */
export function closedDocument(doc: Json): Json {
  const closed = structuredClone(doc);
  const close = (node: Json) => {
    if (Array.isArray(node)) { node.forEach(close); return; }
    if (!node || typeof node !== 'object') return;
    if (node.type === 'object' && node.properties && node.additionalProperties === undefined) node.additionalProperties = false;
    for (const value of Object.values(node)) close(value);
  };
  close(closed.paths);
  close(closed.components);
  return closed;
}

/** Request examples of the document that their own schema refuses. */
export function exampleProblems(doc: Json): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, 'mailroom:openapi');
  const problems: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    for (const method of METHODS) {
      const examples = item[method]?.requestBody?.content?.['application/json']?.examples as Record<string, { value: unknown }> | undefined;
      if (!examples) continue;
      const validate = ajv.getSchema(`mailroom:openapi#/${pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema')}`)!;
      for (const [name, example] of Object.entries(examples)) {
        if (!validate(example.value)) problems.push(`${method.toUpperCase()} ${path} example ${name}: ${describe(validate.errors)}`);
      }
    }
  }
  return problems;
}

export function answerChecker(doc: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, 'mailroom:openapi');
  const compiled = new Map<string, ValidateFunction>();

  /** Why this answer does not match the document, or null when it does. */
  return (operation: string, answer: Answer): string | null => {
    const [method, path] = operation.split(' ') as [string, string];
    const responses = doc.paths[path]?.[method.toLowerCase()]?.responses as Record<string, Json> | undefined;
    if (!responses) return `${operation} is not in the document`;
    const declared = responses[String(answer.status)];
    if (!declared) return `${operation} answered ${answer.status}, which it does not declare (declared: ${Object.keys(responses).join(', ')}): ${answer.text.slice(0, 300)}`;
    const content = declared.content as Record<string, { schema: Json }> | undefined;
    const contentType = String(answer.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (!content) return answer.text === '' ? null : `${operation} ${answer.status} declares no body but sent ${answer.text.slice(0, 200)}`;
    if (!content['application/json']) {
      return content[contentType] || content['*/*'] ? null : `${operation} ${answer.status} sent ${contentType}, declared ${Object.keys(content).join(', ')}`;
    }
    if (contentType !== 'application/json') return `${operation} ${answer.status} sent ${contentType || 'no content type'}, declared application/json`;
    const key = pointer('paths', path, method.toLowerCase(), 'responses', String(answer.status), 'content', 'application/json', 'schema');
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.getSchema(`mailroom:openapi#/${key}`);
      if (!validate) return `${operation}: no schema at ${key}`;
      compiled.set(key, validate);
    }
    return validate(answer.body) ? null : `${operation} ${answer.status} body does not match: ${describe(validate.errors)}: ${answer.text.slice(0, 300)}`;
  };
}
