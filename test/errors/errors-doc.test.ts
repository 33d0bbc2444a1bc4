// docs/errors.md lists exactly the codes of src/errors.ts, each with its HTTP status, whether it is
// retried, what it means and what to do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES, ERRORS, type ErrorSpec } from '../../src/errors.ts';

const DOC_PATH = new URL('../../docs/errors.md', import.meta.url);
// Codes are level-3 headings; level 2 groups them ("## SMTP" is a group, not a code).
const CODE_HEADING = /^### +([A-Z][A-Z0-9_]*) *$/;
const ANY_HEADING = /^#{1,6} /;
const STATUS_LINE = /^HTTP (\d{3}) · (retryable|not retryable)$/;

interface DocEntry { readonly code: string; readonly lines: readonly string[] }

/** The entries of the page: every heading that is an error code, with the lines up to the next heading. */
function parseEntries(markdown: string): DocEntry[] {
  const entries: { code: string; lines: string[] }[] = [];
  let current: { code: string; lines: string[] } | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    if (ANY_HEADING.test(line)) {
      const code = CODE_HEADING.exec(line)?.[1];
      current = code ? { code, lines: [] } : undefined;
      if (current) entries.push(current);
    } else if (current && line.trim() !== '') {
      current.lines.push(line.trim());
    }
  }
  return entries;
}

/** Everything wrong with the page against the registry, one line per problem. */
function checkErrorsDoc(markdown: string, registry: Readonly<Record<string, ErrorSpec>>): string[] {
  const problems: string[] = [];
  const entries = parseEntries(markdown);
  const documented = entries.map((e) => e.code);
  for (const code of Object.keys(registry)) if (!documented.includes(code)) problems.push(`${code}: missing from docs/errors.md`);
  for (const [i, code] of documented.entries()) {
    if (!(code in registry)) problems.push(`${code}: documented, but there is no such code in src/errors.ts`);
    else if (documented.indexOf(code) !== i) problems.push(`${code}: documented twice`);
  }
  for (const entry of entries) {
    const spec = registry[entry.code];
    if (spec) problems.push(...checkEntry(entry, spec));
  }
  return problems;
}

function checkEntry({ code, lines }: DocEntry, spec: ErrorSpec): string[] {
  const problems: string[] = [];
  const status = STATUS_LINE.exec(lines[0] ?? '');
  if (!status) problems.push(`${code}: the first line must read "HTTP <status> · retryable" or "… · not retryable"`);
  else {
    if (Number(status[1]) !== spec.status) problems.push(`${code}: documented HTTP ${status[1]}, the registry says ${spec.status}`);
    if ((status[2] === 'retryable') !== spec.retryable) problems.push(`${code}: documented "${status[2]}", the registry says retryable=${spec.retryable}`);
  }
  for (const label of ['What it means:', 'What to do:']) {
    const line = lines.find((l) => l.startsWith(label));
    if (!line || line.slice(label.length).trim() === '') problems.push(`${code}: no "${label}" paragraph`);
  }
  return problems;
}

describe('docs/errors.md', () => {
  it('lists every code of the registry, and nothing else, with matching status and retry flag', () => {
    assert.deepEqual(checkErrorsDoc(readFileSync(DOC_PATH, 'utf8'), ERRORS), []);
  });

  it('catches a missing code, an unknown code, a duplicate and a wrong status', () => {
    const registry: Record<string, ErrorSpec> = {
      MAILBOX_FULL: { status: 502, retryable: false, message: 'm' },
      TIMEOUT: { status: 504, retryable: true, message: 't' },
    };
    const entry = (code: string, status: string) => `### ${code}\n${status}\n\nWhat it means: x.\n\nWhat to do: y.\n`;
    const doc = [
      '# Error codes', '## SMTP',
      entry('MAILBOX_FULL', 'HTTP 400 · not retryable'),
      entry('MAILBOX_FULL', 'HTTP 502 · retryable'),
      entry('NO_SUCH_CODE', 'HTTP 500 · not retryable'),
    ].join('\n');
    assert.deepEqual(checkErrorsDoc(doc, registry).map((p) => p.split(':')[0]).sort(), [
      'MAILBOX_FULL', 'MAILBOX_FULL', 'MAILBOX_FULL', 'NO_SUCH_CODE', 'TIMEOUT',
    ]);
    assert.deepEqual(checkErrorsDoc([entry('MAILBOX_FULL', 'HTTP 502 · not retryable'), entry('TIMEOUT', 'HTTP 504 · retryable')].join('\n'), registry), []);
  });

  it('catches an entry without what it means or what to do', () => {
    const registry = { TIMEOUT: { status: 504, retryable: true, message: 't' } };
    assert.equal(checkErrorsDoc('### TIMEOUT\nHTTP 504 · retryable\n\nWhat it means: slow.\n', registry).length, 1);
  });
});

describe('the error registry', () => {
  it('every permanent mail-server failure (502, not retryable) says what to do about it', () => {
    const permanent502 = ERROR_CODES.filter((code) => ERRORS[code].status === 502 && !ERRORS[code].retryable);
    assert.ok(permanent502.length > 0);
    const withoutFix = permanent502.filter((code) => !(ERRORS[code] as ErrorSpec).fix?.trim());
    assert.deepEqual(withoutFix, []);
  });
});
