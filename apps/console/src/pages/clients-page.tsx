import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { ApiProblem, type ConsoleApi } from '../api/client';

interface ApiClient {
  clientId: string;
  publicKey: string;
  roles: string[];
  disabled: boolean;
  createTime: string;
}

const ROLES = ['viewer', 'operator', 'approver', 'compliance-admin', 'auditor', 'admin'];

/** API clients (admin): register a user's public key with roles, disable a client. */
export function ClientsPage({ api }: { api: ConsoleApi }): ReactElement {
  const [clients, setClients] = useState<ApiClient[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [form, setForm] = useState({ clientId: '', publicKey: '', roles: [] as string[] });

  async function load(): Promise<void> {
    try {
      setClients(await api.list<ApiClient>('/v1/clients', 'clients'));
    } catch (e) {
      setError(describe(e));
    }
  }
  useEffect(() => {
    void load();
  }, []);

  async function register(event: FormEvent): Promise<void> {
    event.preventDefault();
    setError(undefined);
    try {
      await api.request('POST', '/v1/clients', { clientId: form.clientId, publicKey: form.publicKey.trim().toLowerCase(), roles: form.roles });
      setForm({ clientId: '', publicKey: '', roles: [] });
      await load();
    } catch (e) {
      setError(describe(e));
    }
  }

  return (
    <section aria-labelledby="clients-title">
      <h2 id="clients-title">API clients</h2>
      <form className="card" onSubmit={(e) => void register(e)} aria-label="Register a client">
        <label htmlFor="new-client-id">Client id</label>
        <input id="new-client-id" value={form.clientId} onChange={(e) => setForm({ ...form, clientId: e.target.value })} required />
        <label htmlFor="new-public-key">Public key (64 hex digits)</label>
        <input id="new-public-key" value={form.publicKey} onChange={(e) => setForm({ ...form, publicKey: e.target.value })} required spellCheck={false} />
        <fieldset>
          <legend>Roles</legend>
          {ROLES.map((r) => (
            <label key={r} className="inline">
              <input type="checkbox" checked={form.roles.includes(r)} onChange={(e) => setForm({ ...form, roles: e.target.checked ? [...form.roles, r] : form.roles.filter((x) => x !== r) })} /> {r}
            </label>
          ))}
        </fieldset>
        <button type="submit">Register</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="table-wrap">
        <table>
          <caption>Registered clients</caption>
          <thead>
            <tr><th scope="col">Client</th><th scope="col">Roles</th><th scope="col">Key</th><th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {clients.map((c) => (
              <tr key={c.clientId}>
                <td>{c.clientId}</td>
                <td>{c.roles.join(', ')}</td>
                <td><code>{c.publicKey.slice(0, 16)}…</code></td>
                <td>{c.disabled ? 'disabled' : 'active'}</td>
                <td>
                  {!c.disabled && (
                    <button type="button" className="danger" onClick={() => void api.request('POST', `/v1/clients/${encodeURIComponent(c.clientId)}/disable`, {}).then(load, (e: unknown) => setError(describe(e)))}>
                      Disable<span className="sr-only"> {c.clientId}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function describe(e: unknown): string {
  return e instanceof ApiProblem ? `${e.title}: ${e.detail} (${e.code}${e.requestId ? `, request ${e.requestId}` : ''})` : e instanceof Error ? e.message : String(e);
}
