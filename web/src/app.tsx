import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, get, getToken, setToken, toApiError, whenSignedOut, type ApiError } from './api/client.ts';
import type { Me } from './api/schema.ts';
import { ErrorMessage } from './components/error-message.tsx';
import { Page } from './components/page.tsx';
import { Progress } from './components/progress.tsx';
import { SignInPage } from './pages/sign-in.page.tsx';
import { useQueryClient } from '@tanstack/react-query';
import { Link, matchPath, Route, Routes, useLocation, useNavigate } from 'react-router';
import { NAV_GROUPS, ROUTES, type PageRoute } from './routes.ts';
import { SessionContext, useSession, type SessionState } from './session.tsx';

/** Whether the server runs in demo mode: only then does the capture server's API exist. */
async function probeDemo(): Promise<boolean> {
  try {
    await get('/api/demo/captured');
    return true;
  } catch (err) {
    if (toApiError(err).status === 404) return false;
    throw err;
  }
}

export function App() {
  const [token, setTokenState] = useState(getToken());
  const [me, setMe] = useState<Me | null>(null);
  const [demo, setDemo] = useState(false);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [signedOutReason, setSignedOutReason] = useState<ApiError | null>(null);
  const navigate = useNavigate();
  const queries = useQueryClient();

  useEffect(() => whenSignedOut((reason) => {
    setTokenState(null);
    setMe(null);
    setSignedOutReason(reason);
  }), []);

  const reloadMe = useCallback(async () => {
    try {
      const [nextMe, isDemo] = await Promise.all([get<Me>('/api/me'), probeDemo()]);
      setMe(nextMe);
      setDemo(isDemo);
      setLoadError(null);
    } catch (err) {
      setLoadError(toApiError(err));
    }
  }, []);

  useEffect(() => { if (token) void reloadMe(); }, [token, reloadMe]);

  const signOut = useCallback(async () => {
    try { await api('DELETE', '/api/session'); } catch { /* the session is gone either way */ }
    setToken(null);
    setTokenState(null);
    setMe(null);
    setSignedOutReason(null);
    // The next person to sign in on this tab sees nothing of this one's data.
    queries.clear();
    navigate('/', { replace: true });
  }, [navigate, queries]);

  const session = useMemo<SessionState | null>(() => me && ({ me, demo, isAdmin: me.user.role === 'admin', reloadMe, signOut }), [me, demo, reloadMe, signOut]);

  if (!token) {
    return <SignInPage reason={signedOutReason} onSignedIn={(t) => { setToken(t); setSignedOutReason(null); setTokenState(t); }} />;
  }
  if (!session) {
    return (
      <main className="center-page" id="main">
        {loadError ? <><ErrorMessage error={loadError} /><button type="button" className="button" onClick={() => void reloadMe()}>Try again</button></> : <Progress label="Opening the console…" />}
      </main>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function NotFound() {
  return <Page title="Page not found"><p>There is no page at this address. <Link to="/">Go to the home page</Link>.</p></Page>;
}

/** A route's page, or the reason this user cannot open it. */
function Guarded({ route, visit }: { route: PageRoute; visit: number }) {
  const { me, isAdmin } = useSession();
  const { pathname } = useLocation();
  if (route.access === 'admin' && !isAdmin) {
    return (
      <Page title="Administrators only">
        <div className="notice notice-error" role="alert" data-page-state="forbidden">
          <p className="notice-title">This page is for administrators.</p>
          <p>You are signed in as {me.user.name} ({me.user.username}), who has the role “{me.user.role}”. Ask an administrator if you need a change made here.</p>
        </div>
        <p><Link to="/">Back to the home page</Link></p>
      </Page>
    );
  }
  const Component = route.component;
  return <Component key={`${pathname}:${visit}`} />;
}

function Shell() {
  const { me, isAdmin, demo, signOut } = useSession();
  const { pathname: path } = useLocation();
  // Choosing the page you are on in the menu opens it afresh.
  const [visit, setVisit] = useState(0);
  const visible = ROUTES.filter((r) => r.nav && (r.access === 'user' || isAdmin) && (!r.demoOnly || demo));
  const available = ROUTES.filter((r) => !r.demoOnly || demo);
  const known = available.some((r) => matchPath(r.path, path));
  const forbidden = !isAdmin && available.some((r) => r.access === 'admin' && matchPath(r.path, path));
  const state = !known ? 'not-found' : forbidden ? 'forbidden' : 'ok';
  // On a narrow screen the menu is one button: open, it lists the pages; choosing one closes it.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => { setMenuOpen(false); }, [path]);
  const content = (
    <Suspense fallback={<Progress label="Opening the page…" />}>
      <Routes>
        {available.map((r) => <Route key={r.path} path={r.path} element={<Guarded route={r} visit={visit} />} />)}
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
  const here = visible.find((r) => (r.path === '/' ? path === '/' : path === r.path || path.startsWith(`${r.path}/`)));

  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <button type="button" className="button small menu-button" aria-expanded={menuOpen} aria-controls="pages-menu"
          onClick={() => setMenuOpen((open) => !open)}>
          Menu<span className="sr-only">{here ? `, on ${here.nav!.label}` : ''}</span>
        </button>
        <Link to="/" className="brand">Mailroom</Link>
        {demo && <span className="demo-tag">Demo</span>}
        <div className="who" aria-label="Signed-in user">
          <span className="who-name" data-testid="user-name">{me.user.name}</span>
          <span className="who-role" data-testid="user-role">{me.user.role === 'admin' ? 'Administrator' : 'User'}</span>
          <button type="button" className="button small" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <nav className="sidebar" id="pages-menu" aria-label="Pages" data-open={menuOpen}>
        {NAV_GROUPS.map((group) => {
          const items = visible.filter((r) => r.nav!.group === group);
          if (items.length === 0) return null;
          return (
            <div key={group} className="nav-group">
              <h2 className="nav-title">{group}</h2>
              <ul>
                {items.map((r) => {
                  const current = r.path === '/' ? path === '/' : path === r.path || path.startsWith(`${r.path}/`);
                  return <li key={r.path}><Link to={r.path} aria-current={current ? 'page' : undefined} onClick={() => { setMenuOpen(false); if (path === r.path) setVisit((v) => v + 1); }}>{r.nav!.label}</Link></li>;
                })}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" className="content" data-page-state={state}>
        {content}
      </main>
    </div>
  );
}

