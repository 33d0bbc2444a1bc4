// What a hand-in reads before it stores an email: the Email parameters and the sender address of
// the acting user's options. This process keeps them from one hand-in to the next, and the
// statement that stores an email checks them again (see insertEmailIfCurrent): when either was
// changed since (by this process or another one), nothing is stored and the hand-in reads them
// afresh and starts over. So every email is checked against the parameters in force when it is
// stored, at no round trip of its own.
import type { AppContext } from '../app-context.ts';
import { getOptions, type User } from '../users/users.service.ts';
import { parseParameters, PARAMETERS_KEY, type StoredParameters } from './email-parameters.ts';
import { readSettingText } from './settings.repository.ts';

export interface HandInSnapshot {
  readonly params: StoredParameters;
  /** The stored text the parameters were parsed from; null when none is stored (the defaults). */
  readonly paramsText: string | null;
  /** The acting user's sender option as read (null: their own address); undefined without a user. */
  readonly sender?: { readonly userId: string; readonly senderEmail: string | null };
  /** True when any of it was kept from an earlier hand-in, false when all was read by this one. */
  readonly kept: boolean;
}

interface Kept {
  readonly params: StoredParameters;
  readonly paramsText: string | null;
  readonly senders: Map<string, string | null>;
}

/** Users whose sender option is kept; past this the list starts again (it is only a cache). */
const MAX_SENDERS = 1000;

const keptByContext = new WeakMap<AppContext, Kept>();

/** The snapshot to hand in with: the kept one, or (fresh, or nothing kept yet) read now. */
export async function handInSnapshot(ctx: AppContext, actor: User | null, fresh = false): Promise<HandInSnapshot> {
  let state = fresh ? undefined : keptByContext.get(ctx);
  let kept = state !== undefined;
  if (!state) {
    const paramsText = await readSettingText(ctx.db, PARAMETERS_KEY);
    // Frozen: the same object serves many hand-ins, none may change it.
    state = { params: deepFreeze(parseParameters(paramsText)), paramsText, senders: new Map() };
    keptByContext.set(ctx, state);
  }
  if (!actor) return { params: state.params, paramsText: state.paramsText, kept };
  let senderEmail = state.senders.get(actor.id);
  if (senderEmail !== undefined) {
    kept = true;
  } else {
    senderEmail = (await getOptions(ctx, actor.id)).senderEmail;
    if (state.senders.size >= MAX_SENDERS) state.senders.clear();
    state.senders.set(actor.id, senderEmail);
  }
  return { params: state.params, paramsText: state.paramsText, sender: { userId: actor.id, senderEmail }, kept };
}

/** The address the actor sends from when the email names none: their option, or their own. */
export const defaultSenderOf = (actor: User, snapshot: HandInSnapshot) => snapshot.sender?.senderEmail ?? actor.email;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
