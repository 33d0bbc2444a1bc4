// The template language, and nothing more: %name% placeholders, %% for a literal percent sign,
// and repeating blocks <!--%tablebegin.x%--> … <!--%tableend.x%--> in HTML bodies. Rendering
// only substitutes values; nothing in a template is ever evaluated.
import { MailroomError } from '../errors.ts';

export type Segment =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'value'; readonly name: string }
  | { readonly type: 'block'; readonly name: string; readonly body: readonly Segment[] };

/** Values for one rendering: scalar placeholders, and rows for each repeating block. */
export interface TemplateData {
  readonly values: Readonly<Record<string, string>>;
  readonly tables?: Readonly<Record<string, readonly Readonly<Record<string, string>>[]>>;
}

const TOKEN = /<!--%table(begin|end)\.([A-Za-z][A-Za-z0-9_.]*)%-->|%%|%([A-Za-z][A-Za-z0-9_.]*)%/g;

const PERCENT_ENCODED = /^[0-9A-Fa-f]{2}$/;

/** Names are matched without regard to case: %Subject% and %subject% are the same placeholder. */
export const placeholderName = (name: string) => name.toLowerCase();

/**
 * Splits a template into segments. Throws TEMPLATE_BLOCK_INVALID for blocks that are unbalanced,
 * nested, or present where blocks are not allowed (subjects, notification texts).
 */
export function parseTemplate(source: string, options: { field: string; blocks: boolean }): Segment[] {
  const root: Segment[] = [];
  let open: { name: string; body: Segment[] } | null = null;
  let last = 0;
  const push = (s: Segment) => (open ? open.body : root).push(s);
  const fail = (problem: string, name: string) => {
    throw new MailroomError('TEMPLATE_BLOCK_INVALID', { message: `${options.field}: ${problem}`, details: { field: options.field, block: name } });
  };
  const scanner = new RegExp(TOKEN.source, 'g');
  for (let m = scanner.exec(source); m; m = scanner.exec(source)) {
    if (m.index > last) push({ type: 'text', text: source.slice(last, m.index) });
    last = m.index + m[0].length;
    const [token, marker, blockName, valueName] = m;
    if (token === '%%') push({ type: 'text', text: '%' });
    else if (valueName !== undefined && PERCENT_ENCODED.test(valueName)) {
      // %E2%80%99 in a link is percent-encoding, not a placeholder: keep it, and scan again
      // from its second percent sign.
      push({ type: 'text', text: `%${valueName}` });
      last = scanner.lastIndex = m.index + 1 + valueName.length;
    } else if (valueName !== undefined) push({ type: 'value', name: placeholderName(valueName) });
    else {
      const name = placeholderName(blockName!);
      if (!options.blocks) fail(`repeating blocks are only allowed in the HTML body (found ${name}).`, name);
      if (marker === 'begin') {
        if (open) fail(`block ${name} starts inside block ${open.name}; blocks do not nest.`, name);
        open = { name, body: [] };
      } else {
        if (!open) fail(`tableend.${name} has no tablebegin before it.`, name);
        if (open!.name !== name) fail(`tableend.${name} closes block ${open!.name}.`, name);
        root.push({ type: 'block', name, body: open!.body });
        open = null;
      }
    }
  }
  if (last < source.length) push({ type: 'text', text: source.slice(last) });
  if (open) fail(`block ${(open as { name: string }).name} is never closed.`, (open as { name: string }).name);
  return root;
}

export interface Vocabulary {
  /** Placeholders usable anywhere. */
  readonly values: readonly string[];
  /** Repeating blocks, each with the placeholders usable inside it (besides `values`). */
  readonly tables: Readonly<Record<string, readonly string[]>>;
}

export interface UnknownNames {
  readonly placeholders: string[];
  readonly blocks: string[];
}

/** The placeholder and block names a template uses that the vocabulary does not offer. */
export function findUnknown(segments: readonly Segment[], vocabulary: Vocabulary, inside?: string): UnknownNames {
  const placeholders = new Set<string>();
  const blocks = new Set<string>();
  const allowed = new Set([...vocabulary.values, ...(inside ? vocabulary.tables[inside] ?? [] : [])]);
  for (const s of segments) {
    if (s.type === 'value' && !allowed.has(s.name)) placeholders.add(s.name);
    if (s.type === 'block') {
      if (!(s.name in vocabulary.tables)) blocks.add(s.name);
      const nested = findUnknown(s.body, vocabulary, s.name);
      nested.placeholders.forEach((n) => placeholders.add(n));
    }
  }
  return { placeholders: [...placeholders], blocks: [...blocks] };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * Fills the segments. In HTML every value is escaped, so a value can never add markup; in plain
 * text (subjects, notification texts) line breaks become spaces so a value cannot add a header.
 */
export function render(segments: readonly Segment[], data: TemplateData, mode: 'html' | 'text', row?: Readonly<Record<string, string>>): string {
  let out = '';
  for (const s of segments) {
    if (s.type === 'text') out += s.text;
    else if (s.type === 'value') {
      const value = row?.[s.name] ?? data.values[s.name] ?? '';
      out += mode === 'html' ? escapeHtml(value) : value.replace(/[\r\n\u2028\u2029]+/g, ' ');
    } else {
      for (const r of data.tables?.[s.name] ?? []) out += render(s.body, data, mode, r);
    }
  }
  return out;
}
