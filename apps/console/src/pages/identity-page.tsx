import { useState, type FormEvent, type ReactElement } from 'react';
import type { Session } from '../app';
import { bytesToHex, createKeyPair, importSeed } from '../keys/key-pair';
import { forgetIdentity, saveIdentity, type Identity } from '../keys/key-store';

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * My key: create one in this browser (or import a development seed), show the public key and its
 * fingerprint for an admin to register, and whether the gateway knows it.
 */
export function IdentityPage({ session, onChange }: { session: Session | undefined; onChange: (identity?: Identity) => void }): ReactElement {
  const [clientId, setClientId] = useState('');
  const [seed, setSeed] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent, mode: 'create' | 'import'): Promise<void> {
    event.preventDefault();
    setError(undefined);
    if (!CLIENT_ID.test(clientId)) {
      setError('The client id must be 1 to 128 characters of letters, digits and . _ : -');
      return;
    }
    setBusy(true);
    try {
      const pair = mode === 'create' ? await createKeyPair() : await importSeed(seed);
      const identity: Identity = { clientId, ...pair, createdAt: new Date().toISOString(), origin: mode === 'create' ? 'created' : 'imported' };
      await saveIdentity(identity);
      setSeed('');
      onChange(identity);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  if (!session) {
    return (
      <section aria-labelledby="key-title">
        <h2 id="key-title">Your key</h2>
        <p>
          The console signs every request and every approval with an Ed25519 key that this browser makes and keeps. The
          private key cannot be read by any page, not even this one, and never leaves this browser profile.
        </p>
        <form onSubmit={(e) => void create(e, 'create')} className="card">
          <label htmlFor="client-id">Client id</label>
          <input id="client-id" name="clientId" value={clientId} onChange={(e) => setClientId(e.target.value)} autoComplete="username" required />
          <button type="submit" disabled={busy}>Create a key in this browser</button>
        </form>
        <details className="card">
          <summary>Import a development key</summary>
          <form onSubmit={(e) => void create(e, 'import')}>
            <label htmlFor="seed">Seed (64 hex digits, e.g. from .custody/local-secrets)</label>
            <input id="seed" name="seed" value={seed} onChange={(e) => setSeed(e.target.value)} autoComplete="off" spellCheck={false} />
            <button type="submit" disabled={busy}>Import</button>
          </form>
        </details>
        {error && <p role="alert" className="error">{error}</p>}
      </section>
    );
  }

  const publicKey = bytesToHex(session.identity.publicKey);
  return (
    <section aria-labelledby="key-title">
      <h2 id="key-title">Your key</h2>
      <dl className="facts">
        <dt>Client id</dt>
        <dd>{session.identity.clientId}</dd>
        <dt>Public key</dt>
        <dd><code data-testid="public-key">{publicKey}</code></dd>
        <dt>Fingerprint</dt>
        <dd><code data-testid="fingerprint">{session.fingerprint}</code></dd>
        <dt>Made</dt>
        <dd>{session.identity.origin === 'created' ? 'in this browser' : 'imported'}, {new Date(session.identity.createdAt).toLocaleString()}</dd>
        <dt>Roles</dt>
        <dd data-testid="roles">{session.roles ? session.roles.join(', ') || 'none' : 'not registered'}</dd>
      </dl>
      {session.problem && (
        <div role="alert" className="card warn">
          <p>The gateway does not accept this key yet: {session.problem}.</p>
          <p>Ask an admin to register it:</p>
          <pre>custody client create --id {session.identity.clientId} --public-key {publicKey} --role &lt;role&gt;</pre>
          <p>and compare the fingerprint above with the one they see.</p>
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={() => onChange(session.identity)}>Check registration</button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm('Forget this key? It cannot be recovered; an admin will have to register a new one.')) void forgetIdentity().then(() => onChange(undefined));
          }}
        >
          Forget this key
        </button>
      </div>
    </section>
  );
}
