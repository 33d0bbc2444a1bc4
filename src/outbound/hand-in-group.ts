// Group commit of hand-ins on SQLite. There a commit is this process's own work (writing the
// email's pages to the WAL), about a third of a hand-in's CPU. Each hand-in joins the group when
// it starts; once every hand-in under way is ready to be stored (or 2 ms after the first was),
// they are written in one transaction. A lone caller waits for nothing; concurrent callers (API
// requests, a process handing in many at once) share commits. Each email is still checked
// against its own basis and answered on its own, and each hand-in returns only once the
// transaction holding its email committed.
// (On PostgreSQL an email is one statement committed on its own, and the server flushes the
// commits of concurrent connections together.)
import type { AppContext } from '../app-context.ts';
import { databaseFault } from '../store/database-errors.ts';
import { insertEmailIfCurrent, type EmailRow, type HandInBasis } from './email.repository.ts';

interface Waiting {
  readonly row: EmailRow;
  readonly raw: Buffer;
  readonly basis: HandInBasis;
  resolve(stored: boolean): void;
  reject(err: unknown): void;
}

interface Group {
  /** Hand-ins that joined and have neither been stored nor left. */
  members: number;
  readonly pending: Waiting[];
  writing: boolean;
  timer?: NodeJS.Timeout;
}

/** Emails in one transaction at most. */
const MAX_GROUP = 64;
/** How long the first ready hand-in waits for the others under way. */
const WAIT_MS = 2;

const groups = new WeakMap<AppContext, Group>();

export interface GroupTicket {
  /** Stores the email with the others of the group: true once committed, false when its basis was out of date. */
  store(row: EmailRow, raw: Buffer, basis: HandInBasis): Promise<boolean>;
  /** The hand-in ends without storing through the group (refused, or stored otherwise). */
  leave(): void;
}

/** Joins the group of the hand-ins under way; the ticket is used once, to store or to leave. */
export function joinHandInGroup(ctx: AppContext): GroupTicket {
  let group = groups.get(ctx);
  if (!group) {
    group = { members: 0, pending: [], writing: false };
    groups.set(ctx, group);
  }
  const g = group;
  g.members++;
  let used = false;
  const done = () => {
    if (used) return false;
    used = true;
    g.members--;
    return true;
  };
  return {
    store(row, raw, basis) {
      const stored = new Promise<boolean>((resolve, reject) => g.pending.push({ row, raw, basis, resolve, reject }));
      done();
      maybeWrite(ctx, g);
      return stored;
    },
    leave() {
      if (done()) maybeWrite(ctx, g);
    },
  };
}

function maybeWrite(ctx: AppContext, group: Group): void {
  if (group.writing || group.pending.length === 0) return;
  if (group.members === 0 || group.pending.length >= MAX_GROUP) {
    void writeAll(ctx, group);
  } else {
    group.timer ??= setTimeout(() => void writeAll(ctx, group), WAIT_MS);
  }
}

/** One transaction at a time; each takes in everything that waited for the one before. */
async function writeAll(ctx: AppContext, group: Group): Promise<void> {
  clearTimeout(group.timer);
  group.timer = undefined;
  if (group.writing) return;
  group.writing = true;
  while (group.pending.length > 0) {
    const batch = group.pending.splice(0, MAX_GROUP);
    try {
      const stored = await writeGroup(ctx, batch);
      batch.forEach((w, i) => w.resolve(stored[i]!));
    } catch (err) {
      // The database is away or locked: every hand-in of the group fails, as each would alone.
      if (batch.length === 1 || databaseFault(err)) {
        for (const w of batch) w.reject(err);
        continue;
      }
      // One email's failure must not fail the others: each is stored on its own, with its own answer.
      for (const w of batch) await writeGroup(ctx, [w]).then(([stored]) => w.resolve(stored!), w.reject);
    }
  }
  group.writing = false;
}

function writeGroup(ctx: AppContext, batch: readonly Waiting[]): Promise<boolean[]> {
  return ctx.db.transaction().execute(async (tx) => {
    const stored: boolean[] = [];
    for (const w of batch) stored.push(await insertEmailIfCurrent(tx, ctx.dialect, w.row, w.raw, w.basis));
    return stored;
  });
}
