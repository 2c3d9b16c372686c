import { useSyncExternalStore } from 'react';
import { session, type Session } from './session.ts';

let cached: { raw: string | null; value: Session | undefined } = { raw: null, value: undefined };

/** The signed-in shopper, re-rendering on sign-in and sign-out. */
export function useSession(): Session | undefined {
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => {
      const value = session.current();
      const raw = value ? JSON.stringify(value) : null;
      if (raw !== cached.raw) cached = { raw, value };
      return cached.value;
    },
  );
}
