import { setDevToken } from './dev-token.ts';
import type { GraphiQLPlugin } from '@graphiql/react';
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { useState, type FormEvent } from 'react';

const ROLES = ['', 'admin'];

/**
 * Development only: asks the gateway's POST /dev/token (which exists only outside production) for a
 * token for a user and role, and writes it into the request headers editor. The signing secret stays
 * on the gateway; the page never holds it.
 */
function DevTokenPanel() {
  const headerEditor = useGraphiQL((state) => state.headerEditor);
  const { updateActiveTabValues } = useGraphiQLActions();
  const [sub, setSub] = useState('user-1');
  const [role, setRole] = useState('');
  const [status, setStatus] = useState('');

  async function mint(event: FormEvent) {
    event.preventDefault();
    setStatus('minting…');
    const response = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub, roles: role ? [role] : [] }),
    }).catch(() => undefined);
    if (!response || response.status === 404) return setStatus('This gateway mints no development tokens (production).');
    const body = (await response.json()) as { token?: string; error?: string; expiresIn?: string };
    if (!body.token) return setStatus(body.error ?? `HTTP ${response.status}`);
    setDevToken(body.token);
    let headers: Record<string, unknown> = {};
    try {
      headers = JSON.parse(headerEditor?.getValue() || '{}') as Record<string, unknown>;
    } catch {
      // Unparseable headers are replaced rather than merged.
    }
    const text = JSON.stringify({ ...headers, Authorization: `Bearer ${body.token}` }, null, 2);
    // Shown in the headers editor too, so it can be copied or edited; every run carries it either way.
    headerEditor?.setValue(text);
    updateActiveTabValues({ headers: text });
    setStatus(`Authorization set for ${sub}${role ? ` (${role})` : ''}, valid ${body.expiresIn}.`);
  }

  return (
    <form className="dev-token" onSubmit={(e) => void mint(e)}>
      <div className="graphiql-doc-explorer-title">Development token</div>
      <p>Signs a token on the gateway (development only) and puts it in the headers editor.</p>
      <label>
        User id <input name="sub" value={sub} onChange={(e) => setSub(e.target.value)} />
      </label>
      <label>
        Role
        <select name="role" value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r || 'shopper (no role)'}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Mint token</button>
      <p role="status">{status}</p>
    </form>
  );
}

function KeyIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <circle cx="8" cy="15" r="4" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M11 12l8-8m-3 3l2 2m-4 0l2 2" fill="none" stroke="currentColor" strokeWidth="1.6" />
    </svg>
  );
}

export const devTokenPlugin: GraphiQLPlugin = { title: 'Development token', icon: KeyIcon, content: DevTokenPanel };
