// Parsing kept messages off the main thread: the main thread reads IMAP and writes the database
// while a thread of its own parses (message-parser.worker.ts, which also joins postal-mime's part
// bytes without Node's Blob). One thread per incoming cycle, started only once the cycle has more
// to parse than the start costs (≈ 60 ms of CPU: about half a MiB parsed on this thread), and
// stopped with the cycle. A thread that dies fails the messages it held (each recorded with the
// reason, tried again next cycle); the next parse starts a new one.
import { Worker } from 'node:worker_threads';
import { MailroomError, type ErrorCode } from '../../errors.ts';
import { parseMessage, type ParsedMessage } from './message-parser.ts';
import type { ParseReply, ParseRequest } from './message-parser.worker.ts';

const PARSER_YOUNG_GENERATION_MB = 16;

/** Bytes parsed on the calling thread in a cycle before the parser thread is started. */
export const PARSE_THREAD_AFTER_BYTES = 512 * 1024;

export interface MessageParsing {
  /** The source is handed over: a buffer of its own is moved to the parser thread and empty afterwards. */
  parse(source: Buffer): Promise<ParsedMessage>;
  close(): Promise<void>;
}

interface Waiting { resolve(parsed: ParsedMessage): void; reject(err: Error): void }

/** One parser thread: requests answered in the order sent. */
function startThread(onGone: () => void) {
  // V8 sizes a thread's young generation by itself and let it grow to ≈ 100 MiB here, most of the
  // peak RSS a long sync added (parsing 30,000 bench messages: 477 MiB with it, 358 with 16 MiB, at
  // the same CPU). A parse's garbage is short-lived; its old generation is not limited.
  const worker = new Worker(new URL('./message-parser.worker.ts', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: PARSER_YOUNG_GENERATION_MB } });
  worker.unref();
  const waiting = new Map<number, Waiting>();
  let next = 0;
  const failAll = (reason: string) => {
    if (!waiting.size) return onGone();
    for (const w of waiting.values()) w.reject(new MailroomError('MESSAGE_PARSE_FAILED', { message: `The message could not be parsed: the parser thread stopped (${reason}).` }));
    waiting.clear();
    onGone();
  };
  worker.on('message', (reply: ParseReply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (!waiting.size) worker.unref();
    if ('parsed' in reply) w.resolve(reply.parsed);
    else w.reject(new MailroomError(reply.error.code as ErrorCode, { message: reply.error.message }));
  });
  worker.on('error', (err) => failAll(err.message));
  worker.on('exit', (code) => failAll(`exit code ${code}`));
  return {
    parse(source: Buffer): Promise<ParsedMessage> {
      const id = next++;
      // The source is moved to the thread when it owns its memory; a view of a shared buffer is copied.
      const own = source.byteOffset === 0 && source.byteLength === source.buffer.byteLength;
      const bytes = own ? new Uint8Array(source.buffer, 0, source.byteLength) : new Uint8Array(source);
      return new Promise<ParsedMessage>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // While a parse is waiting the thread keeps the process alive; idle, it does not.
        worker.ref();
        worker.postMessage({ id, source: bytes } satisfies ParseRequest, [bytes.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** Parsing for one cycle: on this thread at first, on the parser thread once the cycle has parsed PARSE_THREAD_AFTER_BYTES. */
export function createMessageParsing(afterBytes = PARSE_THREAD_AFTER_BYTES): MessageParsing {
  let thread: ReturnType<typeof startThread> | null = null;
  let inline = 0;
  return {
    parse(source) {
      if (!thread && inline + source.byteLength <= afterBytes) {
        inline += source.byteLength;
        return parseMessage(source);
      }
      if (!thread) {
        const started = startThread(() => { if (thread === started) thread = null; });
        thread = started;
      }
      return thread.parse(source);
    },
    async close() {
      const open = thread;
      thread = null;
      await open?.close();
    },
  };
}
