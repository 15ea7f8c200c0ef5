import { useEffect, useState, type ReactElement } from 'react';
import type { SectionProps } from '../sections';
import { bytesToHex, hexToBytes } from '../keys/key-pair';
import type { ApprovalKey } from '../keys/key-store';
import { ApprovalKeyPanel } from '../components/approval-key-panel';
import { describe } from './clients-page';
import { pretty } from './audit-page';

interface PolicyView {
  name: string;
  state: string;
  document: string;
  contentHash: string;
  kind: 'proposal' | 'version';
  version: number;
  quorum: number;
  quorumState: string;
  approvedBy: string[];
  approveMessage: string;
  lint: string;
  proposedBy: string;
  createTime: string;
}

interface Rule {
  id?: string;
  name?: string;
  description?: string;
  match?: Record<string, unknown>;
  condition?: string;
  action?: unknown;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

function rulesOf(document: string): Rule[] {
  try {
    const d = JSON.parse(document) as { rules?: Rule[] };
    return Array.isArray(d.rules) ? d.rules : [];
  } catch {
    return [];
  }
}

function actionText(action: unknown): string {
  if (typeof action === 'string') return action;
  if (action && typeof action === 'object') {
    const a = action as Record<string, unknown>;
    const kind = String((a['type'] ?? a['kind'] ?? Object.keys(a)[0]) as string);
    return `${kind}${a['groups'] || a['approvals'] ? `: ${JSON.stringify(a['groups'] ?? a['approvals'])}` : ''}`;
  }
  return '—';
}

/** Lint / validation findings as a list, whatever the report's shape: each with its JSON path or rule number. */
function findings(report: string): { level: string; text: string }[] {
  try {
    const r = JSON.parse(report) as Record<string, unknown>;
    const out: { level: string; text: string }[] = [];
    for (const level of ['errors', 'warnings', 'issues', 'findings']) {
      const list = r[level];
      const isError = level === 'errors' || (level === 'issues' && r['valid'] === false);
      if (Array.isArray(list)) for (const f of list) out.push({ level: isError ? 'error' : 'warning', text: typeof f === 'string' ? f : Object.entries(f as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ') });
    }
    return out;
  } catch {
    return report ? [{ level: 'error', text: report }] : [];
  }
}

/**
 * The compliance officer's view: the active policy as a table of rules and as the document; a draft in
 * an editor with validation and lint findings; a diff between versions; a dry run with the decision
 * trace; a replay of the draft over last week's requests; proposals and their approval by admins.
 */
export function PoliciesPage({ api, roles, identity }: SectionProps): ReactElement {
  const [key, setKey] = useState<ApprovalKey | undefined>();
  const [active, setActive] = useState<PolicyView | undefined>();
  const [policies, setPolicies] = useState<PolicyView[]>([]);
  const [draft, setDraft] = useState('');
  const [lint, setLint] = useState<{ level: string; text: string }[] | undefined>();
  const [report, setReport] = useState<{ title: string; text: string } | undefined>();
  const [dryRun, setDryRun] = useState(JSON.stringify({ requestId: 'dry-run-1', operation: 'withdrawal', initiatorId: 'operator', sourceWalletId: 'wallet-1', destinationAddress: '0x0000000000000000000000000000000000000001', destinationChainId: 1, assetId: 'ETH', assetDecimals: 18, amount: '1000000000000000000' }, null, 2));
  const [diff, setDiff] = useState({ a: 'active', b: '' });
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const admin = roles.includes('admin') || roles.includes('compliance-admin');

  async function load(): Promise<void> {
    try {
      const a = await api.request<PolicyView>('GET', '/v1/policies/active');
      setActive(a);
      setDraft((d) => d || pretty(a.document));
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
    try {
      const [versions, proposals] = await Promise.all([api.list<PolicyView>('/v1/policies', 'policies'), api.list<PolicyView>('/v1/policies?kind=proposal', 'policies')]);
      setPolicies([...proposals, ...versions]);
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }
  useEffect(() => {
    void load();
  }, []);

  async function run(title: string, f: () => Promise<{ report: string }>): Promise<void> {
    setMessage(undefined);
    try {
      setReport({ title, text: pretty((await f()).report) });
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  async function lintDraft(): Promise<void> {
    try {
      const r = await api.request<{ report: string }>('POST', '/v1/policies/-/lint', { document: draft });
      setLint(findings(r.report));
    } catch (e) {
      setLint([{ level: 'error', text: describe(e) }]);
    }
  }

  async function propose(): Promise<void> {
    try {
      const p = await api.request<PolicyView>('POST', '/v1/policies', { document: draft });
      setMessage({ text: `Proposed ${p.name}: ${p.quorumState || p.state}.`, error: false });
      await load();
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  async function approve(p: PolicyView): Promise<void> {
    try {
      if (!key) throw new Error('import your approval key first');
      const id = p.name.replace(/^policies\//, '');
      // A list may carry only a summary: the message to sign comes with the proposal itself.
      const full = p.approveMessage ? p : await api.request<PolicyView>('GET', `/v1/policies/${encodeURIComponent(id)}`);
      if (!full.approveMessage) throw new Error('the proposal has no approval message (not open for approval)');
      const signature = bytesToHex(new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, new Uint8Array(hexToBytes(full.approveMessage)))));
      const after = await api.request<PolicyView>('POST', `/v1/policies/${encodeURIComponent(id)}/approve`, { signature });
      setMessage({ text: `Approved ${after.name}: ${after.quorumState || after.state}.`, error: false });
      await load();
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  async function activate(p: PolicyView): Promise<void> {
    try {
      const id = p.name.replace(/^policies\//, '');
      const after = await api.request<PolicyView>('POST', `/v1/policies/${encodeURIComponent(id)}/activate`, {});
      setMessage({ text: `Activated ${after.name}.`, error: false });
      await load();
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  return (
    <section aria-labelledby="policies-title">
      <h2 id="policies-title">Policies</h2>
      {message && <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'ok'}>{message.text}</p>}
      {active && (
        <>
          <h3>Active: {active.name} <small>(<code>{active.contentHash.slice(0, 12)}…</code>)</small></h3>
          <div className="table-wrap">
            <table data-testid="rules">
              <caption>Rules, first match wins; nothing matched is denied</caption>
              <thead><tr><th scope="col">#</th><th scope="col">Rule</th><th scope="col">Matches</th><th scope="col">Condition</th><th scope="col">Action</th></tr></thead>
              <tbody>
                {rulesOf(active.document).map((r, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>{r.id ?? r.name ?? '—'}{r.description ? <div>{r.description}</div> : null}</td>
                    <td><code>{JSON.stringify(r.match ?? Object.fromEntries(Object.entries(r).filter(([k]) => !['id', 'name', 'description', 'condition', 'action'].includes(k))))}</code></td>
                    <td><code>{r.condition ?? '—'}</code></td>
                    <td>{actionText(r.action)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details><summary>The active document</summary><pre>{pretty(active.document)}</pre></details>
        </>
      )}

      <h3>Draft</h3>
      <label htmlFor="draft">Policy document (JSON)</label>
      <textarea id="draft" value={draft} onChange={(e) => { setDraft(e.target.value); setLint(undefined); }} spellCheck={false} aria-describedby="lint" />
      <div id="lint" aria-live="polite" data-testid="lint">
        {lint && (lint.length === 0 ? <p className="ok">Valid, no lint warnings.</p> : <ul>{lint.map((f, i) => <li key={i} className={f.level === 'error' ? 'bad' : ''}>{f.level}: {f.text}</li>)}</ul>)}
      </div>
      <div className="actions">
        <button type="button" onClick={() => void lintDraft()}>Validate and lint</button>
        <button type="button" className="secondary" onClick={() => void run('Replay of the draft over the last 7 days', () => api.request('POST', '/v1/policies/-/replay', { document: draft, startTime: new Date(Date.now() - WEEK_MS).toISOString(), endTime: new Date().toISOString() }))}>Replay last week</button>
        {roles.includes('compliance-admin') && <button type="button" className="secondary" onClick={() => void propose()}>Propose</button>}
      </div>

      <h3>Dry run</h3>
      <label htmlFor="dry-run">A hypothetical request (JSON)</label>
      <textarea id="dry-run" value={dryRun} onChange={(e) => setDryRun(e.target.value)} spellCheck={false} style={{ minHeight: '8rem' }} />
      <div className="actions">
        <button type="button" onClick={() => void run('Dry run against the draft', () => api.request('POST', '/v1/policies/-/dry-run', { request: dryRun, document: draft }))}>Dry run against the draft</button>
        <button type="button" className="secondary" onClick={() => void run('Dry run against the active policy', () => api.request('POST', '/v1/policies/active/dry-run', { request: dryRun }))}>Dry run against the active policy</button>
      </div>

      <h3>Diff</h3>
      <div className="card">
        <label htmlFor="diff-a">From (v3, active, or a proposal id)</label>
        <input id="diff-a" value={diff.a} onChange={(e) => setDiff({ ...diff, a: e.target.value })} />
        <label htmlFor="diff-b">To</label>
        <input id="diff-b" value={diff.b} onChange={(e) => setDiff({ ...diff, b: e.target.value })} />
        <button type="button" onClick={() => void run(`Diff ${diff.a} → ${diff.b}`, () => api.request('POST', `/v1/policies/${encodeURIComponent(diff.a)}/diff`, { other: diff.b }))}>Diff</button>
      </div>

      {report && (
        <article className="card" aria-labelledby="report-title" data-testid="report">
          <h3 id="report-title">{report.title}</h3>
          <pre>{report.text}</pre>
        </article>
      )}

      {admin && <ApprovalKeyPanel approverId={identity.clientId} onChange={setKey} />}
      <div className="table-wrap">
        <table>
          <caption>Versions and proposals</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Proposed by</th><th scope="col">Approvals</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td>{p.state}</td>
                <td>{p.proposedBy || '—'}</td>
                <td>{p.kind === 'proposal' ? `${p.approvedBy.length}/${p.quorum}${p.approvedBy.length ? ` (${p.approvedBy.join(', ')})` : ''}` : '—'}</td>
                <td>
                  {p.kind === 'proposal' && admin && <button type="button" className="secondary" onClick={() => void approve(p)}>Approve<span className="sr-only"> {p.name}</span></button>}{' '}
                  {p.kind === 'proposal' && admin && <button type="button" className="secondary" onClick={() => void activate(p)}>Activate<span className="sr-only"> {p.name}</span></button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
