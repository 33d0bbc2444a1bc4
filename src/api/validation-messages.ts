// One mapping from schema validation failures to plain sentences that name the field and say what
// it accepts ("User name is required.", "Port must be a whole number from 1 to 65535."). Used by
// every route (the API's error handler) and by the configuration check, so a person reads the same
// words wherever a value is refused; the console shows each at its field.

/** The parts of a schema that say what a value may be. */
interface SchemaFacts {
  readonly type?: string | readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly SchemaFacts[];
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly description?: string;
}

/** One refused value, whichever validator found it. */
export interface Problem {
  /** Dotted path of the field ("smtp.port"); '' for the body as a whole. */
  readonly field: string;
  /** What is wrong, in the validator's terms: required, type, minimum, maxLength, additionalProperties… */
  readonly keyword: string;
  /** The schema of the field, when known: its range and choices go into the sentence. */
  readonly schema?: SchemaFacts;
  readonly params?: Readonly<Record<string, unknown>>;
}

const WORDS: Record<string, string> = {
  username: 'User name', email: 'Email', password: 'Password', name: 'Name', role: 'Role', language: 'Language',
  to: 'To', cc: 'Cc', bcc: 'Bcc', from: 'From', subject: 'Subject', body: 'Body', html: 'HTML body', text: 'Text',
  host: 'Outgoing mail server', port: 'SMTP port number', code: 'Code', ref: 'Reference', title: 'Title',
  leaseSeconds: 'Lease seconds', dataDir: 'Data folder', databaseUrl: 'Database URL', secretKey: 'Secret key',
  attachmentSizeLimitMb: 'Attachment size limit (MB)', recipientLimit: 'Recipient limit', expirationDays: 'Email expiration in days', historyRetentionDays: 'History retention in days',
  recurrenceSeconds: 'Recurrence (seconds)', limit: 'Number per page', status: 'Email status', sender: 'Email sender',
};

/** "smtp.port" → "SMTP port number"; "attachments.0.filename" → "Attachments entry 1: filename". */
export function fieldLabel(field: string): string {
  if (!field) return 'The request';
  const parts = field.split('.');
  const last = parts[parts.length - 1]!;
  const index = /^\d+$/.test(last) ? Number(last) : null;
  const name = index === null ? last : parts[parts.length - 2] ?? 'list';
  const word = WORDS[name] ?? (name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()).replace(/\b(Url|Smtp|Id)\b/g, (w) => w.toUpperCase()));
  return index === null ? word : `${word}, entry ${index + 1}`;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number', number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'a set of fields', null: 'empty',
};

function range(lo: number | undefined, hi: number | undefined, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  if (lo !== undefined && hi !== undefined) return lo === hi ? `exactly ${lo}${u}` : `from ${lo} to ${hi}${u}`;
  if (lo !== undefined) return `at least ${lo}${u}`;
  if (hi !== undefined) return `at most ${hi}${u}`;
  return '';
}

function choices(s: SchemaFacts | undefined): unknown[] | null {
  if (!s) return null;
  if (s.enum) return [...s.enum];
  if (s.anyOf && s.anyOf.every((a) => 'const' in a)) return s.anyOf.map((a) => a.const);
  return null;
}

const list = (values: readonly unknown[]) => values.map((v) => (typeof v === 'string' ? `“${v}”` : String(v))).join(', ');

/** What a value of this schema must be, as words ("a whole number from 1 to 65535"). */
function accepted(s: SchemaFacts | undefined): string {
  if (!s) return '';
  const c = choices(s);
  if (c) return `one of ${list(c)}`;
  // A union says each of its forms: "empty or a set of fields (type, id)".
  if (s.anyOf) return [...new Set(s.anyOf.map(accepted).filter(Boolean))].join(' or ');
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : (s.type as string | undefined);
  if (type === 'integer' || type === 'number') {
    const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (type === 'integer' ? 1 : 0) : undefined);
    const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (type === 'integer' ? 1 : 0) : undefined);
    return [TYPE_WORDS[type], range(lo, hi)].filter(Boolean).join(' ');
  }
  if (type === 'string') {
    const len = range(s.minLength, s.maxLength, 'characters');
    return len ? `text of ${len}` : 'text';
  }
  if (type === 'array') {
    const n = range(s.minItems, s.maxItems, 'entries');
    return n ? `a list of ${n}` : 'a list';
  }
  if (type === 'object' && s.properties && Object.keys(s.properties).length > 0) return `a set of fields (${Object.keys(s.properties).join(', ')})`;
  return type ? TYPE_WORDS[type] ?? type : '';
}

/** "8 to 200 characters", "at most 64 characters". */
function length(s: SchemaFacts | undefined, params: Readonly<Record<string, unknown>>): string {
  const lo = s?.minLength;
  const hi = s?.maxLength;
  if (lo !== undefined && hi !== undefined) return `${lo} to ${hi} characters`;
  if (lo !== undefined || hi !== undefined) return `${lo !== undefined ? 'at least' : 'at most'} ${lo ?? hi} characters`;
  return `${String(params.limit)} characters`;
}

/** The plain sentence for one refused value. */
export function plainSentence(p: Problem): string {
  const params = p.params ?? {};
  if (p.keyword === 'additionalProperties' || p.keyword === 'unknown') {
    return `“${String(params.additionalProperty ?? p.field)}” is not a field Mailroom knows here; leave it out.`;
  }
  if (p.keyword === 'required') return `${fieldLabel(p.field)} is required.`;
  const label = fieldLabel(p.field);
  const s = p.schema;
  switch (p.keyword) {
    case 'minLength':
      if ((s?.minLength ?? params.limit) === 1) return `${label} is required: it cannot be empty.`;
      return `${label} is too short: it must be ${length(s, params)} long.`;
    case 'maxLength':
      return `${label} is too long: it must be ${length(s, params)} long.`;
    case 'minItems':
    case 'maxItems':
      return `${label} must be ${accepted(s) || `${p.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} entries`}.`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'type':
    case 'enum':
    case 'const':
    case 'anyOf':
    case 'multipleOf': {
      const what = accepted(s);
      return what ? `${label} must be ${what}.` : `${label} is not an accepted value.`;
    }
    case 'format':
      return `${label} must be ${params.format === 'email' ? 'an email address' : params.format === 'date' ? 'a date (YYYY-MM-DD)' : params.format === 'date-time' ? 'a date and time' : `in the ${String(params.format)} form`}.`;
    case 'pattern':
      return `${label} is not in the accepted form${s?.description ? ` (${s.description})` : ''}.`;
    default:
      return `${label} is not an accepted value.`;
  }
}

/** The error message for several problems: one sentence each, every refused value in one answer. */
export function plainMessage(problems: readonly (Problem & { message?: string })[]): string {
  // A problem that carries its sentence already (made while its schema was at hand) keeps it.
  const sentences = [...new Set(problems.map((p) => p.message ?? plainSentence(p)))];
  if (sentences.length === 0) return 'The request is not valid.';
  if (sentences.length === 1) return sentences[0]!;
  return `${sentences.length} values were refused: ${sentences.join(' ')}`;
}

/** An Ajv error (Fastify route validation, with verbose on) as a Problem. */
export interface AjvLikeError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly parentSchema?: unknown;
  readonly message?: string;
}

export function fromAjv(e: AjvLikeError): Problem & { message: string } {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const extra = e.keyword === 'additionalProperties' ? String(e.params.additionalProperty ?? '')
    : e.keyword === 'required' ? String(e.params.missingProperty ?? '') : '';
  const field = [path, extra].filter(Boolean).join('.');
  const problem: Problem = { field, keyword: e.keyword, params: e.params, schema: e.parentSchema as SchemaFacts | undefined };
  return { ...problem, schema: undefined, message: plainSentence(problem) };
}

/**
 * Ajv reports a value that fits no branch of a union once per branch and once for the union:
 * keep the union's own report (its schema lists the choices) and drop the branch noise.
 */
export function ajvProblems(errors: readonly AjvLikeError[]): (Problem & { message: string })[] {
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const kept = errors.filter((e) => e.keyword === 'anyOf' || !unions.has(e.instancePath));
  const seen = new Set<string>();
  return kept.map(fromAjv).filter((p) => {
    const key = `${p.field}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
