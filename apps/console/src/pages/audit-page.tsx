import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { SectionProps } from '../sections';
import { rootHashBase64, verifyConsistencySince, verifyListedRecords, verifyRecordInclusion, type CheckpointView, type ProvedPageView, type ProvedRecordView, type RecordCheck, type RecordProofView, type RememberedCheckpoint, type TrustedKeys, type VerifiedCheckpoint, type VerifiedInclusion } from '../audit/verify';
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
const PAGE_SIZE_ITEM = 'custody-console:audit-page-size';
const FILTERS = ['type', 'client', 'wallet', 'request_id', 'start_time', 'end_time'] as const;
/** Records per page the auditor can choose (the API's page_size allows up to 100). */
const PAGE_SIZES = [25, 50, 100] as const;
/** The API's largest page, with or without proofs: the records shown are verified with one request per this many. */
const PROOF_PAGE = 100;

function loadPageSize(): number {
  const n = Number(localStorage.getItem(PAGE_SIZE_ITEM));
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : 50;
}

/** The records shown, checked in this browser, with how long fetching their proofs and checking them took. */
interface PageCheck {
  readonly checks: ReadonlyMap<string, RecordCheck>;
  readonly count: number;
  readonly verified: number;
  readonly sizes: readonly number[];
  readonly witnesses: readonly string[];
  readonly fetchMs: number;
  readonly verifyMs: number;
}

/**
 * The records shown, with their inclusion proofs against one checkpoint: ListAuditRecords with
 * view=full, the filters the records were listed with and the index range they span (so exactly
 * those records), one request per {@link PROOF_PAGE} records; a second page is asked at the first
 * page's tree size.
 */
async function provedRecords(api: SectionProps['api'], shown: readonly AuditRecord[], listedFilters: string): Promise<ProvedPageView> {
  const indexes = shown.map((r) => Number(r.index));
  const query = new URLSearchParams(listedFilters);
  query.set('view', 'full');
  query.set('start_index', String(Math.min(...indexes)));
  query.set('end_index', String(Math.max(...indexes) + 1));
  query.set('page_size', String(PROOF_PAGE));
  const records: ProvedRecordView[] = [];
  let checkpoint: CheckpointView | undefined;
  for (let pages = Math.ceil(shown.length / PROOF_PAGE) + 1; pages > 0; pages--) {
    const page = await api.request<{ records: ProvedRecordView[]; nextPageToken: string; checkpoint: CheckpointView }>('GET', `/v1/audit/records?${query.toString()}`);
    checkpoint ??= page.checkpoint;
    records.push(...page.records);
    if (!page.nextPageToken) break;
    query.set('page_token', page.nextPageToken);
    if (Number(checkpoint.size) > 0) query.set('tree_size', checkpoint.size);
  }
  return { records, checkpoint: checkpoint! };
}

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
  /** The filters the records shown were listed with (the form may have changed since). */
  const [listedFilters, setListedFilters] = useState('');
  const [records, setRecords] = useState<AuditRecord[]>([]);
  const [next, setNext] = useState('');
  const [pageSize, setPageSize] = useState(loadPageSize);
  const [pageCheck, setPageCheck] = useState<{ running?: boolean; result?: PageCheck; error?: string } | undefined>();
  const [open, setOpen] = useState<{ view: RecordProofView & { record: AuditRecord }; result?: VerifiedInclusion; error?: string } | undefined>();
  const [consistency, setConsistency] = useState<{ result?: VerifiedCheckpoint; error?: string; from?: RememberedCheckpoint } | undefined>();
  const [remembered, setRemembered] = useState<RememberedCheckpoint | undefined>(loadRemembered);
  const [error, setError] = useState<string | undefined>();

  async function search(event?: FormEvent, token = '', size = pageSize): Promise<void> {
    event?.preventDefault();
    setError(undefined);
    const listed = new URLSearchParams();
    for (const f of FILTERS) if (filters[f]) listed.set(f, filters[f]!);
    // "More" continues the listing the records shown came from.
    const query = new URLSearchParams(token ? listedFilters : listed.toString());
    query.set('page_size', String(size));
    if (token) query.set('page_token', token);
    try {
      const page = await api.request<{ records: AuditRecord[]; nextPageToken: string }>('GET', `/v1/audit/records?${query.toString()}`);
      setRecords(token ? [...records, ...page.records] : page.records);
      if (!token) setListedFilters(listed.toString());
      setNext(page.nextPageToken);
      setPageCheck(undefined);
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

  function choosePageSize(size: number): void {
    localStorage.setItem(PAGE_SIZE_ITEM, String(size));
    setPageSize(size);
    void search(undefined, '', size);
  }

  /**
   * Every record shown, checked as "Verify" checks one: the records with their proofs fetched in one
   * request (per 100 shown; ListAuditRecords view=full), each the record listed, its bytes hashed, its
   * inclusion proof and the checkpoint's signatures checked here (the checkpoint once). The times are
   * exposed as performance measures and data-fetch-ms / data-verify-ms for the console bench.
   */
  async function verifyShown(): Promise<void> {
    const shown = records;
    if (shown.length === 0) return;
    setPageCheck({ running: true });
    try {
      const t0 = performance.now();
      const answer = await provedRecords(api, shown, listedFilters);
      const t1 = performance.now();
      const checks = verifyListedRecords(shown, answer, keys);
      const t2 = performance.now();
      performance.measure('audit-page-fetch-proofs', { start: t0, end: t1 });
      performance.measure('audit-page-verify', { start: t1, end: t2 });
      const ok = checks.flatMap((c) => ('result' in c ? [c.result] : []));
      setPageCheck({
        result: {
          checks: new Map(checks.map((c) => [c.index, c])),
          count: checks.length,
          verified: ok.length,
          sizes: [...new Set(ok.map((r) => r.checkpoint.size))],
          witnesses: [...new Set(ok.flatMap((r) => r.witnesses))],
          fetchMs: t1 - t0,
          verifyMs: t2 - t1,
        },
      });
    } catch (e) {
      setPageCheck({ error: describe(e) });
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
        <label htmlFor="page-size">Records per page</label>
        <select id="page-size" value={pageSize} onChange={(e) => choosePageSize(Number(e.target.value))}>
          {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
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

      <div className="actions">
        <button type="button" onClick={() => void verifyShown()} disabled={records.length === 0 || pageCheck?.running === true}>Verify the records shown</button>
      </div>
      {pageCheck && (
        <div className="card" role="status" aria-live="polite" data-testid="page-verification" {...(pageCheck.result ? { 'data-verified': pageCheck.result.verified, 'data-count': pageCheck.result.count, 'data-fetch-ms': pageCheck.result.fetchMs.toFixed(1), 'data-verify-ms': pageCheck.result.verifyMs.toFixed(1) } : {})}>
          {pageCheck.running ? (
            <p>Fetching and checking the proofs of {records.length} records…</p>
          ) : pageCheck.error ? (
            <p className="bad">{pageCheck.error}</p>
          ) : pageCheck.result ? (
            <>
              <p className={pageCheck.result.verified === pageCheck.result.count ? 'ok' : 'bad'}>
                {pageCheck.result.verified} of {pageCheck.result.count} records verified in this browser{pageCheck.result.verified ? `: included in the tree of size ${pageCheck.result.sizes.join(', ')} signed by the log key, cosigned by ${pageCheck.result.witnesses.length} pinned witness${pageCheck.result.witnesses.length === 1 ? '' : 'es'}${pageCheck.result.witnesses.length ? ` (${pageCheck.result.witnesses.join(', ')})` : ''}` : ''}.
              </p>
              <p>Proofs fetched in {pageCheck.result.fetchMs.toFixed(0)} ms, checked in {pageCheck.result.verifyMs.toFixed(1)} ms.</p>
            </>
          ) : null}
        </div>
      )}

      <div className="table-wrap">
        <table>
          <caption>Records</caption>
          <thead>
            <tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Request</th><th scope="col">Proof</th><th scope="col"><span className="sr-only">Open</span></th></tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.index}>
                <td>{r.index}</td>
                <td>{new Date(r.occurTime).toLocaleString()}</td>
                <td>{r.type}</td>
                <td>{r.actor}</td>
                <td>{r.requestId || '—'}</td>
                <td>{proofCell(pageCheck?.result?.checks.get(r.index))}</td>
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

function proofCell(check: RecordCheck | undefined): ReactElement | string {
  if (!check) return '';
  return 'result' in check ? <span className="ok">Included</span> : <span className="bad">Not verified: {check.error}</span>;
}

export function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
