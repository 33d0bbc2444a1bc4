import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, toApiError, type ApiError } from '../api/client.ts';
import type { Session } from '../api/schema.ts';
import { ErrorMessage } from '../components/error-message.tsx';
import { TextField } from '../components/fields.tsx';
import { BusyButton } from '../components/progress.tsx';

/** The first screen: sign in, and for a newcomer, the three steps of a first run. */
export function SignInPage({ onSignedIn, reason }: { onSignedIn(token: string): void; reason: ApiError | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = 'Sign in · Mailroom';
    heading.current?.focus();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api<Session>('POST', '/api/session', { username: username.trim(), password });
      onSignedIn(session.token);
    } catch (err) {
      setError(toApiError(err));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <div className="sign-in-grid">
        <section className="card sign-in-card" aria-labelledby="sign-in-title">
          <p className="brand big">Mailroom</p>
          <h1 id="sign-in-title" tabIndex={-1} ref={heading}>Sign in</h1>
          {reason && <div className="notice notice-warning" role="status">Your session has ended. Sign in again to go on.</div>}
          <form onSubmit={submit} noValidate aria-describedby="sign-in-help">
            <TextField label="User name" name="username" autoComplete="username" value={username} required
              onChange={(e) => setUsername(e.target.value)} />
            <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} required
              onChange={(e) => setPassword(e.target.value)} />
            <ErrorMessage error={error} />
            <BusyButton type="submit" busy={busy} busyLabel="Signing in…">Sign in</BusyButton>
          </form>
        </section>
        <section className="card first-run" aria-labelledby="first-run-title" id="sign-in-help">
          <h2 id="first-run-title">New to Mailroom?</h2>
          <p>If you started Mailroom with <code>npm run demo</code>, everything runs on this machine and no email leaves it:
            a built-in mail server catches every message so you can look at it.</p>
          <ol className="steps">
            <li><strong>Sign in.</strong> The terminal where Mailroom started printed a password for <code>admin</code> (an administrator)
              and for <code>june</code> and <code>omar</code> (ordinary users). The passwords change at every start.</li>
            <li><strong>Send an email.</strong> Open <em>Send email</em>, choose how to send it, fill in the form and press Send.</li>
            <li><strong>See it arrive.</strong> <em>Email history</em> shows what Mailroom did with it; <em>Captured mail</em> shows
              what the mail server received.</li>
          </ol>
          <p className="muted">Not a demo? Sign in with the account your administrator gave you. An administrator is created with
            <code> npm run mailroom -- users add … --role admin</code>.</p>
        </section>
      </div>
    </main>
  );
}
