/**
 * The development token minted in this page, sent with every run that does not carry its own
 * `Authorization` header. Kept here rather than only in the headers editor: GraphiQL reads a tab's
 * headers when it runs, and a tab opened before the token was minted would otherwise run anonymous.
 */
let current: string | undefined;

export function setDevToken(token: string): void {
  current = token;
}

/** `{ authorization }` for the minted token, unless the run's own headers already name one. */
export function devTokenHeader(headers: Record<string, unknown> | undefined): Record<string, string> {
  if (!current) return {};
  const own = Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'authorization');
  return own ? {} : { authorization: `Bearer ${current}` };
}
