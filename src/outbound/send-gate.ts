import type { EmailProvider } from '../providers/provider.ts';

export interface SendGate {
  /**
   * Waits for a free connection of the provider; resolves with the function that frees it again,
   * or with null once the signal has aborted (the send must not start).
   */
  enter(provider: EmailProvider): Promise<(() => void) | null>;
}

/**
 * Lets as many sends through to each provider as it has connections (EmailProvider.maxConcurrent;
 * unlimited when it gives none). A send handed to the provider is then on the wire at once, not
 * queued inside its connection pool where a stopping worker could no longer take it back.
 */
export function createSendGate(signal?: AbortSignal): SendGate {
  const slots = new Map<EmailProvider, { free: number; waiting: Array<(ok: boolean) => void> }>();
  signal?.addEventListener('abort', () => {
    for (const s of slots.values()) for (const wake of s.waiting.splice(0)) wake(false);
  }, { once: true });

  return {
    async enter(provider) {
      if (signal?.aborted) return null;
      const limit = provider.maxConcurrent;
      if (limit === undefined) return () => {};
      let s = slots.get(provider);
      if (!s) slots.set(provider, (s = { free: limit, waiting: [] }));
      const slot = s;
      if (slot.free > 0) slot.free--;
      else if (!(await new Promise<boolean>((resolve) => slot.waiting.push(resolve)))) return null;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        const next = slot.waiting.shift();
        if (next) next(true); else slot.free++;
      };
    },
  };
}
