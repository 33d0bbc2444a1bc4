// The emails every measurement sends: the same content for Mailroom and for the baselines, so the
// ratios compare the work around the message, not the message.
import { createHash } from 'node:crypto';

export const VARIANTS = ['text', 'attachment'] as const;
export type Variant = (typeof VARIANTS)[number];

export const SENDER = { name: 'Bench Sender', address: 'bench.sender@contoso.test' } as const;
export const TEXT_BODY_BYTES = 4096;
export const ATTACHMENT_BYTES = 20 * 1024;

/** A plain-text body of exactly `bytes` ASCII bytes in short lines, so it travels as 7bit. */
function textBody(bytes: number): string {
  const line = 'Statement line: invoice, amount, due date, reference, customer account.\n';
  let body = '';
  while (body.length + line.length <= bytes) body += line;
  return body + 'x'.repeat(bytes - body.length);
}

const BODY = textBody(TEXT_BODY_BYTES);

/** 20 KiB that do not compress or repeat: a hash chain. */
function attachmentBytes(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let block = createHash('sha256').update('mailroom bench').digest();
  for (let at = 0; at < bytes; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const ATTACHMENT = attachmentBytes(ATTACHMENT_BYTES);

export interface BenchEmail {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly attachments: { filename: string; content: Buffer; contentType: string }[];
}

/** The i-th email of a run. */
export function benchEmail(variant: Variant, i: number): BenchEmail {
  return {
    to: `customer${i % 1000}@fabrikam.test`,
    subject: `Statement ${i} for November`,
    body: BODY,
    attachments: variant === 'attachment' ? [{ filename: 'statement.pdf', content: ATTACHMENT, contentType: 'application/pdf' }] : [],
  };
}

/**
 * Emails sent before a measurement starts, by the baselines and by the one-process Mailroom runs
 * alike, so that a short run measures code the JIT has compiled, not the compiling.
 */
export const warmUpCount = (n: number) => Math.min(200, Math.ceil(n / 5));
