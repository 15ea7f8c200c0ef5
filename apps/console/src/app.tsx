import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { ApiProblem, ConsoleApi } from './api/client';
import { fingerprint } from './keys/key-pair';
import { loadIdentity, type Identity } from './keys/key-store';
import { IdentityPage } from './pages/identity-page';
import { ClientsPage } from './pages/clients-page';
import { SECTIONS, type SectionProps } from './sections';

export interface Session {
  readonly identity: Identity;
  readonly api: ConsoleApi;
  readonly fingerprint: string;
  /** The roles the gateway gave this client (whoami), or undefined until it answered. */
  readonly roles: readonly string[] | undefined;
  readonly problem: string | undefined;
}

function useHashRoute(): string {
  const [route, setRoute] = useState(() => window.location.hash.replace(/^#\/?/, '') || 'identity');
  useEffect(() => {
    const onChange = (): void => setRoute(window.location.hash.replace(/^#\/?/, '') || 'identity');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The console: who I am (my key in this browser), then the sections my roles may use. */
export function App(): ReactElement {
  const [session, setSession] = useState<Session | undefined>();
  const [loading, setLoading] = useState(true);
  const route = useHashRoute();

  const refresh = useCallback(async (identity?: Identity): Promise<void> => {
    const id = identity ?? (await loadIdentity());
    if (!id) {
      setSession(undefined);
      setLoading(false);
      return;
    }
    const api = new ConsoleApi(id);
    const print = await fingerprint(id.publicKey);
    let roles: string[] | undefined;
    let problem: string | undefined;
    try {
      roles = (await api.request<{ roles: string[] }>('GET', '/v1/whoami')).roles;
    } catch (error) {
      problem = error instanceof ApiProblem ? `${error.title} (${error.code})` : `The gateway did not answer: ${String(error)}`;
    }
    setSession({ identity: id, api, fingerprint: print, roles, problem });
    setLoading(false);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const roles = session?.roles ?? [];
  const visible = SECTIONS.filter((s) => s.roles.some((r) => roles.includes(r)));
  const section = visible.find((s) => s.id === route);
  const props: SectionProps | undefined = session ? { api: session.api, roles, identity: session.identity } : undefined;

  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <h1>Custody console</h1>
        {session && (
          <p className="who" aria-label="Signed in as">
            <span data-testid="client-id">{session.identity.clientId}</span>
            <span className="fingerprint" title="SHA-256 fingerprint of your public key">{session.fingerprint}</span>
          </p>
        )}
      </header>
      <nav aria-label="Sections">
        <ul>
          <li><a href="#/identity" aria-current={route === 'identity' ? 'page' : undefined}>My key</a></li>
          {roles.includes('admin') && <li><a href="#/clients" aria-current={route === 'clients' ? 'page' : undefined}>API clients</a></li>}
          {visible.map((s) => (
            <li key={s.id}><a href={`#/${s.id}`} aria-current={route === s.id ? 'page' : undefined}>{s.title}</a></li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {loading ? (
          <p role="status">Loading…</p>
        ) : route === 'clients' && props && roles.includes('admin') ? (
          <ClientsPage api={props.api} />
        ) : section && props ? (
          <section.component {...props} />
        ) : (
          <IdentityPage session={session} onChange={(identity) => void refresh(identity)} />
        )}
      </main>
    </>
  );
}
