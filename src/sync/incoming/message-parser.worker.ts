// The parser thread's entry (parser-thread.ts starts it): parses each source it is sent with
// postal-mime and sends the ParsedMessage back, its attachment bytes transferred, not copied.
//
// postal-mime's part decoders hand every line of a part to a `Blob` (two parts a line: the line
// and "\n") and read it back with arrayBuffer(). Node's Blob takes each part through its native
// layer, which made those joins most of the parse (a profile of bench/sync: readNext, getSource,
// createBlob, concat and the garbage they leave, ≈ 4 ms of a 32 KiB message's 4.5). This thread
// runs nothing but the parser, so its global Blob is replaced by JoinedBytes: the same bytes
// joined once in JavaScript (≈ 0.5 ms a message). The main thread's Blob is Node's own.
import { parentPort } from 'node:worker_threads';
import { isMailroomError } from '../../errors.ts';
import { parseMessage, type ParsedMessage } from './message-parser.ts';

type Part = ArrayBuffer | ArrayBufferView | string;
const encoder = new TextEncoder();
/** The pass-through decoder's "\n" after every line, encoded once. */
const LF = encoder.encode('\n');

/** What postal-mime uses of a Blob: made from parts, its size and type, and its bytes back. */
class JoinedBytes {
  readonly size: number;
  readonly type: string;
  readonly #parts: Uint8Array[];
  constructor(parts: readonly Part[] = [], options: { type?: string } = {}) {
    this.#parts = parts.map(toBytes);
    this.size = this.#parts.reduce((n, p) => n + p.byteLength, 0);
    this.type = options.type ?? '';
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const part of this.#parts) { out.set(part, offset); offset += part.byteLength; }
    return out.buffer;
  }
}

function toBytes(part: Part): Uint8Array {
  if (typeof part === 'string') return part === '\n' ? LF : encoder.encode(part);
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
}

(globalThis as { Blob: unknown }).Blob = JoinedBytes;

export interface ParseRequest { readonly id: number; readonly source: Uint8Array }
export type ParseReply =
  | { readonly id: number; readonly parsed: ParsedMessage }
  | { readonly id: number; readonly error: { readonly code: string; readonly message: string } };

/** The attachments' own buffers (a view of a shared one, such as Buffer's pool, is copied instead). */
function transferable(parsed: ParsedMessage): ArrayBuffer[] {
  const own = parsed.attachments.map((a) => a.content).filter((c) => c.byteOffset === 0 && c.byteLength === c.buffer.byteLength);
  return [...new Set(own.map((c) => c.buffer as ArrayBuffer))];
}

parentPort!.on('message', async ({ id, source }: ParseRequest) => {
  try {
    const parsed = await parseMessage(Buffer.from(source.buffer, source.byteOffset, source.byteLength));
    parentPort!.postMessage({ id, parsed } satisfies ParseReply, transferable(parsed));
  } catch (err) {
    const code = isMailroomError(err) ? err.code : 'MESSAGE_PARSE_FAILED';
    parentPort!.postMessage({ id, error: { code, message: (err as Error).message } } satisfies ParseReply);
  }
});
