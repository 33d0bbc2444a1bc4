// Reading single header fields out of a raw header block, without parsing the whole message.
/** The unfolded value of the first header field with this name, or null. */
export function headerValue(headers: Buffer | string | undefined, name: string): string | null {
  if (!headers) return null;
  const text = typeof headers === 'string' ? headers : headers.toString('latin1');
  const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
  const wanted = name.toLowerCase() + ':';
  for (const line of unfolded.split(/\r?\n/)) {
    if (line.toLowerCase().startsWith(wanted)) return line.slice(wanted.length).trim();
  }
  return null;
}

/** The Message-ID of a header block, as <id> in lower-case-insensitive form kept verbatim, or null. */
export function messageIdOf(headers: Buffer | string | undefined): string | null {
  const value = headerValue(headers, 'message-id');
  const match = value ? /<[^<>\s]+>/.exec(value) : null;
  return match ? match[0] : value || null;
}
