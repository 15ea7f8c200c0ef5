import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { SectionProps } from '../sections';
import { rootHashBase64, verifyConsistencySince, verifyRecordInclusion, type CheckpointView, type RecordProofView, type RememberedCheckpoint, type TrustedKeys, type VerifiedCheckpoint, type VerifiedInclusion } from '../audit/verify';
import { describe } from './clients-page';

interface AuditRecord {
  name: string;
  index: string;
  type: string;
  occurTime: string;
  actor: string;
  requestId: string;
  wallet: string;
  body: string;
  canonical: string;
  leafHash: string;
}

const KEYS_ITEM = 'custody-console:audit-keys';
const REMEMBERED_ITEM = 'custody-console:audit-checkpoint';
const FILTERS = ['type', 'client', 'wallet', 'request_id', 'start_time', 'end_time'] as const;

function loadKeys(): TrustedKeys {
  try {
    const k = JSON.parse(localStorage.getItem(KEYS_ITEM) ?? '') as TrustedKeys;
    return { log: String(k.log ?? ''), witnesses: Array.isArray(k.witnesses) ? k.witnesses.map(String) : [] };
  } catch {
    return { log: '', witnesses: [] };
  }
}

function loadRemembered(): RememberedCheckpoint | undefined {
  try {
    const r = JSON.parse(localStorage.getItem(REMEMBERED_ITEM) ?? '') as RememberedCheckpoint;
    return Number.isSafeInteger(r.size) && typeof r.rootHash === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The auditor's view: browse and filter the log; open a record and check, in this browser, that it is
 * in the tree under a checkpoint signed by the pinned log key (and which pinned witnesses cosigned it);
 * check that today's log extends the checkpoint remembered from the last visit; export a range for
 * `custody audit verify`.
 */
export function AuditPage({ api }: SectionProps): ReactElement {
  const [keys, setKeys] = useState<TrustedKeys>(loadKeys);
  const [keysText, setKeysText] = useState(() => ({ log: loadKeys().log, witnesses: loadKeys().witnesses.join('\n') }));
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [records, setRecords] = useState<AuditRecord[]>([]);
  const [next, setNext] = useState('');
  const [open, setOpen] = useState<{ view: RecordProofView & { record: AuditRecord }; result?: VerifiedInclusion; error?: string } | undefined>();
  const [consistency, setConsistency] = useState<{ result?: VerifiedCheckpoint; error?: string; from?: RememberedCheckpoint } | undefined>();
  const [remembered, setRemembered] = useState<RememberedCheckpoint | undefined>(loadRemembered);
  const [error, setError] = useState<string | undefined>();

  async function search(event?: FormEvent, token = ''): Promise<void> {
    event?.preventDefault();
    setError(undefined);
    const query = new URLSearchParams();
    for (const f of FILTERS) if (filters[f]) query.set(f, filters[f]!);
    query.set('page_size', '50');
    if (token) query.set('page_token', token);
    try {
      const page = await api.request<{ records: AuditRecord[]; nextPageToken: string }>('GET', `/v1/audit/records?${query.toString()}`);
      setRecords(token ? [...records, ...page.records] : page.records);
      setNext(page.nextPageToken);
    } catch (e) {
      setError(describe(e));
    }
  }
  useEffect(() => {
    void search();
  }, []);

  function pin(event: FormEvent): void {
    event.preventDefault();
    const k = { log: keysText.log.trim(), witnesses: keysText.witnesses.split('\n').map((l) => l.trim()).filter(Boolean) };
    localStorage.setItem(KEYS_ITEM, JSON.stringify(k));
    setKeys(k);
  }

  async function openRecord(index: string): Promise<void> {
    try {
      const view = await api.request<RecordProofView & { record: AuditRecord }>('GET', `/v1/audit/records/${encodeURIComponent(index)}`);
      try {
        setOpen({ view, result: verifyRecordInclusion(view, keys) });
      } catch (e) {
        setOpen({ view, error: e instanceof Error ? e.message : String(e) });
      }
    } catch (e) {
      setError(describe(e));
    }
  }

  async function checkConsistency(): Promise<void> {
    try {
      const latest = await api.request<CheckpointView>('GET', '/v1/audit/checkpoint');
      const from = remembered;
      if (!from) {
        setConsistency({ error: 'No checkpoint remembered yet: remember today\'s, and check again on your next visit.' });
        return;
      }
      const answer = await api.request<{ proof: string[]; checkpoint: CheckpointView }>('GET', `/v1/audit/consistency-proof?first_size=${from.size}&second_size=${latest.size}`);
      setConsistency({ result: verifyConsistencySince(from, answer, keys), from });
    } catch (e) {
      setConsistency({ error: e instanceof Error ? e.message : describe(e) });
    }
  }

  function remember(cp: VerifiedCheckpoint): void {
    const r = { size: cp.checkpoint.size, rootHash: rootHashBase64(cp.checkpoint), at: new Date().toISOString() };
    localStorage.setItem(REMEMBERED_ITEM, JSON.stringify(r));
    setRemembered(r);
  }

  async function exportLog(): Promise<void> {
    try {
      const response = await api.send('GET', '/v1/audit/export', undefined, { accept: 'application/jsonl' });
      if (!response.ok) throw new Error(`export failed: ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = 'custody-audit-export.jsonl';
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(describe(e));
    }
  }

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <form className="card" onSubmit={pin} aria-label="Pinned keys">
        <label htmlFor="log-key">Log key (C2SP vkey)</label>
        <input id="log-key" value={keysText.log} onChange={(e) => setKeysText({ ...keysText, log: e.target.value })} spellCheck={false} />
        <label htmlFor="witness-keys">Witness keys (one vkey per line)</label>
        <textarea id="witness-keys" value={keysText.witnesses} onChange={(e) => setKeysText({ ...keysText, witnesses: e.target.value })} rows={3} style={{ minHeight: '4rem' }} spellCheck={false} />
        <button type="submit">Pin these keys</button>
        <p>Proofs are checked in this browser against these keys only; the server's word is not enough.</p>
      </form>

      <form className="card" onSubmit={(e) => void search(e)} aria-label="Filter records">
        {FILTERS.map((f) => (
          <div key={f}>
            <label htmlFor={`filter-${f}`}>{f.replace('_', ' ')}</label>
            <input id={`filter-${f}`} value={filters[f] ?? ''} onChange={(e) => setFilters({ ...filters, [f]: e.target.value })} placeholder={f.endsWith('time') ? '2026-12-01T00:00:00Z' : ''} />
          </div>
        ))}
        <button type="submit">Search</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}

      <div className="actions">
        <button type="button" onClick={() => void checkConsistency()}>Check consistency with my last visit</button>
        <button type="button" className="secondary" onClick={() => void exportLog()}>Export for custody audit verify</button>
      </div>
      {consistency && (
        <div className="card" role="status" aria-live="polite" data-testid="consistency">
          {consistency.error ? (
            <p className="bad">{consistency.error}</p>
          ) : consistency.result ? (
            <p className="ok">Consistent: the log at size {consistency.result.checkpoint.size} extends the one you saw at size {consistency.from?.size}{consistency.from ? ` (${new Date(consistency.from.at).toLocaleString()})` : ''}.</p>
          ) : null}
        </div>
      )}
      <p data-testid="remembered">{remembered ? `Remembered checkpoint: size ${remembered.size}, ${new Date(remembered.at).toLocaleString()}` : 'No checkpoint remembered in this browser yet.'}</p>

      {open && (
        <article className="card" aria-labelledby="record-title" data-testid="record">
          <h3 id="record-title">Record {open.view.record.index}: {open.view.record.type}</h3>
          {open.result ? (
            <>
              <p className="ok" data-testid="inclusion">Included: leaf {open.result.leafHash.slice(0, 16)}… is in the tree of size {open.result.checkpoint.size} signed by the log key.</p>
              <p data-testid="witnesses">Cosigned by {open.result.witnesses.length} pinned witness{open.result.witnesses.length === 1 ? '' : 'es'}{open.result.witnesses.length ? `: ${open.result.witnesses.join(', ')}` : ''}{open.result.unknown.length ? `; unknown signers ignored: ${open.result.unknown.join(', ')}` : ''}.</p>
              <button type="button" className="secondary" onClick={() => remember(open.result!)}>Remember this checkpoint</button>
            </>
          ) : (
            <p className="bad" data-testid="inclusion">Not verified: {open.error}</p>
          )}
          <dl className="facts">
            <dt>Time</dt><dd>{new Date(open.view.record.occurTime).toLocaleString()}</dd>
            <dt>Actor</dt><dd>{open.view.record.actor}</dd>
            <dt>Request</dt><dd>{open.view.record.requestId || '—'}</dd>
            <dt>Wallet</dt><dd>{open.view.record.wallet || '—'}</dd>
          </dl>
          <pre>{pretty(open.view.record.body)}</pre>
          <details>
            <summary>Checkpoint</summary>
            <pre>{open.view.checkpoint.note}</pre>
          </details>
        </article>
      )}

      <div className="table-wrap">
        <table>
          <caption>Records</caption>
          <thead>
            <tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Request</th><th scope="col"><span className="sr-only">Open</span></th></tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.index}>
                <td>{r.index}</td>
                <td>{new Date(r.occurTime).toLocaleString()}</td>
                <td>{r.type}</td>
                <td>{r.actor}</td>
                <td>{r.requestId || '—'}</td>
                <td><button type="button" className="secondary" onClick={() => void openRecord(r.index)}>Verify<span className="sr-only"> record {r.index}</span></button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next && <button type="button" className="secondary" onClick={() => void search(undefined, next)}>More</button>}
    </section>
  );
}

export function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
