// Parsing kept messages off the main thread: the main thread reads IMAP and writes the database
// while a thread of its own parses (message-parser.worker.ts, which also joins postal-mime's part
// bytes without Node's Blob). One thread per incoming cycle, started only once the cycle has more
// to parse than the start costs (≈ 60 ms of CPU: about half a MiB parsed on this thread), and
// stopped with the cycle. A thread that dies on its own (a message too big for its memory limit,
// a crash) takes nobody down with it: each message it held is parsed again alone on a fresh
// thread, so only a message that kills the thread by itself fails (MESSAGE_PARSE_FAILED, its
// reason recorded, tried again next cycle). Parses still held when the cycle closes fail.
import { Worker } from 'node:worker_threads';
import { MailroomError, type ErrorCode } from '../../errors.ts';
import { parseMessage, type ParsedMessage } from './message-parser.ts';
import type { ParseReply, ParseRequest } from './message-parser.worker.ts';

const PARSER_YOUNG_GENERATION_MB = 16;
/** What one parse may hold at most: a hostile message fails alone instead of exhausting the process. */
export const PARSER_OLD_GENERATION_MB = 1024;

/** The parser thread stopped before it answered: not the message's own failure (yet). */
class ThreadStopped extends Error {}

/** Bytes parsed on the calling thread in a cycle before the parser thread is started. */
export const PARSE_THREAD_AFTER_BYTES = 512 * 1024;

export interface MessageParsing {
  /** The source stays the caller's: the parser thread gets a copy. */
  parse(source: Buffer): Promise<ParsedMessage>;
  close(): Promise<void>;
}

interface Waiting { resolve(parsed: ParsedMessage): void; reject(err: Error): void }

export interface ParsingOptions {
  /** Bytes parsed on the calling thread before the parser thread starts. */
  readonly afterBytes?: number;
  /** The parser thread's heap limit (old generation), in MiB. */
  readonly maxHeapMb?: number;
}

/** One parser thread: requests answered in the order sent. */
function startThread(onGone: () => void, maxHeapMb: number) {
  // V8 sizes a thread's young generation by itself and let it grow to ≈ 100 MiB here, most of the
  // peak RSS a long sync added (parsing 30,000 bench messages: 477 MiB with it, 358 with 16 MiB, at
  // the same CPU). A parse's garbage is short-lived; its old generation is not limited.
  const worker = new Worker(new URL('./message-parser.worker.ts', import.meta.url), {
    resourceLimits: { maxYoungGenerationSizeMb: PARSER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: maxHeapMb },
  });
  worker.unref();
  const waiting = new Map<number, Waiting>();
  let next = 0;
  const failAll = (reason: string) => {
    if (!waiting.size) return onGone();
    for (const w of waiting.values()) w.reject(new ThreadStopped(reason));
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
      // A copy goes to the thread: the caller keeps the source to parse it again alone if the thread dies.
      const bytes = new Uint8Array(source);
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

const stoppedWhileClosing = () => new MailroomError('MESSAGE_PARSE_FAILED', { message: 'The message could not be parsed: the cycle stopped first.' });

/** Parsing for one cycle: on this thread at first, on the parser thread once the cycle has parsed `afterBytes`. */
export function createMessageParsing(options: ParsingOptions = {}): MessageParsing {
  const afterBytes = options.afterBytes ?? PARSE_THREAD_AFTER_BYTES;
  const maxHeapMb = options.maxHeapMb ?? PARSER_OLD_GENERATION_MB;
  let thread: ReturnType<typeof startThread> | null = null;
  let inline = 0;
  let closed = false;
  const alone = new Set<ReturnType<typeof startThread>>();
  // Messages a dead thread held are parsed one after another, each on a thread of its own.
  let aloneQueue: Promise<unknown> = Promise.resolve();

  const parseAlone = (source: Buffer): Promise<ParsedMessage> => {
    const turn = aloneQueue.then(async () => {
      if (closed) throw stoppedWhileClosing();
      const own = startThread(() => undefined, maxHeapMb);
      alone.add(own);
      try {
        return await own.parse(source);
      } catch (err) {
        if (!(err instanceof ThreadStopped)) throw err;
        throw closed ? stoppedWhileClosing()
          : new MailroomError('MESSAGE_PARSE_FAILED', { message: `The message could not be parsed: the parser thread stopped while parsing it alone (${err.message}).` });
      } finally {
        alone.delete(own);
        await own.close();
      }
    });
    aloneQueue = turn.catch(() => undefined);
    return turn;
  };

  return {
    parse(source) {
      if (!thread && inline + source.byteLength <= afterBytes) {
        inline += source.byteLength;
        return parseMessage(source);
      }
      if (!thread) {
        const started = startThread(() => { if (thread === started) thread = null; }, maxHeapMb);
        thread = started;
      }
      return thread.parse(source).catch((err: unknown) => {
        if (!(err instanceof ThreadStopped)) throw err;
        if (closed) throw stoppedWhileClosing();
        return parseAlone(source);
      });
    },
    async close() {
      closed = true;
      const open = thread;
      thread = null;
      await Promise.all([open?.close(), ...[...alone].map((t) => t.close())]);
    },
  };
}
