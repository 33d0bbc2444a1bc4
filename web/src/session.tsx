import { createContext, useContext } from 'react';
import type { Me } from './api/schema.ts';

export interface SessionState {
  readonly me: Me;
  readonly isAdmin: boolean;
  /** The server runs with --demo: the capture mail server and Captured mail page exist. */
  readonly demo: boolean;
  reloadMe(): Promise<void>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
