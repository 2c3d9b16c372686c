/** The signed-in shopper, kept for this browser tab. */
export interface Session {
  userId: string;
  token: string;
}

const KEY = 'storefront.session';
type Listener = () => void;
const listeners = new Set<Listener>();

function read(): Session | undefined {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Session) : undefined;
}

export const session = {
  current: read,
  /**
   * Development sign-in: the gateway's POST /dev/token (outside production only) signs a token for the
   * user id. A production storefront gets its token from the identity provider instead.
   */
  async signIn(userId: string): Promise<string | undefined> {
    const response = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: userId }),
    }).catch(() => undefined);
    if (!response?.ok) return response?.status === 404 ? 'Sign-in is not available on this server.' : "We couldn't sign you in. Please try again.";
    const { token } = (await response.json()) as { token: string };
    sessionStorage.setItem(KEY, JSON.stringify({ userId, token }));
    listeners.forEach((l) => l());
    return undefined;
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
    listeners.forEach((l) => l());
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
