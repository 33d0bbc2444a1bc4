import { describeError, isMailroomError } from '../errors.ts';
import type { EmailView } from '../outbound/email-view.ts';

export const print = (line = ''): void => { process.stdout.write(line + '\n'); };
export const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));

export const when = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-');

export function table(list: readonly object[], columns: readonly string[]): void {
  const rows = list as readonly Record<string, unknown>[];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: readonly unknown[]) => cells.map((c, i) => String(c ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  print(line(columns));
  for (const r of rows) print(line(columns.map((c) => r[c])));
}

export function emailRow(e: EmailView) {
  return {
    id: e.id, status: e.status, provider: e.provider, sender: e.sender,
    to: e.to.map((m) => m.address).join(', '), subject: e.subject, attempts: e.attempts,
    created: when(e.createdAt), next: when(e.nextAttemptAt), error: e.failure?.code ?? '',
  };
}

export function printEmail(e: EmailView & { attemptLog?: unknown[] }) {
  print(`${e.id}  ${e.status.toUpperCase()}  via ${e.provider} (${e.mode})`);
  print(`  Message-ID: ${e.messageId}`);
  print(`  From: ${e.senderName ? `${e.senderName} <${e.sender}>` : e.sender}`);
  print(`  To: ${e.to.map((m) => m.address).join(', ')}`);
  if (e.cc.length) print(`  Cc: ${e.cc.map((m) => m.address).join(', ')}`);
  if (e.bcc.length) print(`  Bcc: ${e.bcc.map((m) => m.address).join(', ')}`);
  print(`  Subject: ${e.subject}`);
  print(`  Attempts: ${e.attempts}, deferrals: ${e.deferrals}, created ${when(e.createdAt)}, sent ${when(e.sentAt)}`);
  for (const r of e.recipients ?? []) print(`  ${r.accepted ? 'accepted' : 'refused '} ${r.address}${r.response ? `: ${r.response}` : ''}`);
  if (e.failure) {
    print(`  Failure: ${e.failure.code}: ${e.failure.message}`);
    if (e.failure.response) print(`  Server said: ${e.failure.response}`);
    if (e.failure.explanation) print(`  Why: ${e.failure.explanation}`);
    if (e.failure.fix) print(`  Fix: ${e.failure.fix}`);
  }
}

/** Errors as a person reads them (or as JSON), with the process exit code 1. */
export function reportError(err: unknown, json: boolean): number {
  if (isMailroomError(err)) {
    const { explanation, fix } = describeError(err.code);
    if (json) printJson({ error: { code: err.code, message: err.message, explanation, fix, details: err.details, response: err.response } });
    else {
      process.stderr.write(`error ${err.code}: ${err.message}\n`);
      if (err.response) process.stderr.write(`  server said: ${err.response}\n`);
      if (fix) process.stderr.write(`  fix: ${fix}\n`);
    }
  } else {
    if (json) printJson({ error: { code: 'INTERNAL', message: (err as Error).message } });
    else process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
  }
  return 1;
}
