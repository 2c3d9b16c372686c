import { useState } from 'react';
import { session } from '../session.ts';
import { useSession } from '../use-session.ts';

/** Development sign-in by user id (see session.ts); shows who is signed in otherwise. */
export function SignIn() {
  const signedIn = useSession();
  const [userId, setUserId] = useState('');
  const [error, setError] = useState<string>();
  if (signedIn) {
    return (
      <span className="signed-in">
        Signed in as <strong data-testid="signed-in-as">{signedIn.userId}</strong>{' '}
        <button type="button" className="link-button" onClick={() => session.signOut()}>
          Sign out
        </button>
      </span>
    );
  }
  return (
    <form
      className="sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        if (userId.trim()) void session.signIn(userId.trim()).then(setError);
      }}
    >
      <input name="user" aria-label="User id" placeholder="user id, e.g. shopper-1" value={userId} onChange={(e) => setUserId(e.target.value)} />
      <button type="submit">Sign in</button>
      {error && <span role="alert">{error}</span>}
    </form>
  );
}
