import { useEffect, useState, type ReactElement } from 'react';
import type { SectionProps } from '../sections';
import { approvalBytes, type ApprovalView } from '../approvals/verify-approval';
import { bytesToHex } from '../keys/key-pair';
import type { ApprovalKey } from '../keys/key-store';
import { ApprovalKeyPanel } from '../components/approval-key-panel';
import { describe } from './clients-page';
import { pretty } from './audit-page';
import { useEventRefresh } from '../events';

async function sign(key: CryptoKey, bytes: Uint8Array): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key, new Uint8Array(bytes))));
}

/**
 * The approver's queue: what waits for me, why (the policy's decision trace: which groups, who approved
 * so far), and approve / reject with a reason, signed in this browser with my approval key over bytes the
 * page recomputes from the request it shows.
 */
export function ApprovalsPage({ api, identity }: SectionProps): ReactElement {
  const [key, setKey] = useState<ApprovalKey | undefined>();
  const [approvals, setApprovals] = useState<ApprovalView[]>([]);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const [addressBook, setAddressBook] = useState<Record<string, string>>({});

  async function load(): Promise<void> {
    try {
      setApprovals(await api.list<ApprovalView>('/v1/approvals', 'approvals'));
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }
  useEffect(() => {
    void load();
    void api.list<{ address: string; label: string; name: string; tags: string[] }>('/v1/address-book', 'entries').then(
      (entries) => setAddressBook(Object.fromEntries(entries.map((e) => [e.address.toLowerCase(), `${e.label || e.name}${e.tags.length ? ` (${e.tags.join(', ')})` : ''}`]))),
      () => undefined,
    );
  }, []);
  useEventRefresh(api, ['approval.', 'withdrawal.'], () => void load());

  async function decide(a: ApprovalView, decision: 'approve' | 'reject'): Promise<void> {
    setMessage(undefined);
    if (!key) return;
    try {
      const bytes = approvalBytes(a, decision);
      const body: Record<string, string> = { signature: await sign(key.privateKey, bytes.message) };
      if (bytes.grantDigest) body['grantSignature'] = await sign(key.privateKey, bytes.grantDigest);
      if (reasons[a.name]) body['reason'] = reasons[a.name]!;
      const id = a.name.replace(/^approvals\//, '');
      const after = await api.request<ApprovalView>('POST', `/v1/approvals/${encodeURIComponent(id)}/${decision}`, body);
      setMessage({ text: `${decision === 'approve' ? 'Approved' : 'Rejected'} ${id}: now ${after.state}.`, error: false });
      await load();
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  return (
    <section aria-labelledby="approvals-title">
      <h2 id="approvals-title">Approvals waiting for me</h2>
      <ApprovalKeyPanel approverId={identity.clientId} onChange={setKey} />
      {message && <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'ok'}>{message.text}</p>}
      {approvals.length === 0 && <p>Nothing waits for you.</p>}
      {approvals.map((a) => {
        const request = safeJson(a.requestBody);
        const destination = (request['destination'] as { address?: string } | undefined)?.address;
        const trace = safeJson(a.trace);
        return (
          <article key={a.name} className="card" aria-labelledby={`${a.name}-title`} data-testid="approval">
            <h3 id={`${a.name}-title`}>{a.operation} by {a.initiator}</h3>
            <dl className="facts">
              <dt>Request</dt><dd>{a.name.replace(/^approvals\//, '')}</dd>
              <dt>State</dt><dd>{a.state}</dd>
              <dt>Amount</dt><dd>{typeof request['amount'] === 'string' || typeof request['amount'] === 'number' ? String(request['amount']) : '—'} {String((request['asset'] as { id?: string } | undefined)?.id ?? '')}</dd>
              <dt>Destination</dt><dd>{destination ? `${destination}${addressBook[destination.toLowerCase()] ? ` — ${addressBook[destination.toLowerCase()]}` : ' — not in the address book'}` : '—'}</dd>
              <dt>Policy</dt><dd>version {a.policyVersion} (<code>{a.policyHash.slice(0, 12)}…</code>)</dd>
              <dt>Expires</dt><dd>{new Date(a.expireTime).toLocaleString()}</dd>
              <dt>Decisions so far</dt><dd>{a.decisions.length ? a.decisions.map((d) => `${d.approver}: ${d.decision}${d.reason ? ` (${d.reason})` : ''}`).join('; ') : 'none'}</dd>
            </dl>
            <details>
              <summary>Why this needs my approval (decision trace)</summary>
              <pre data-testid="trace">{pretty(JSON.stringify(trace['approvals'] ?? trace))}</pre>
            </details>
            <label htmlFor={`${a.name}-reason`}>Reason</label>
            <input id={`${a.name}-reason`} value={reasons[a.name] ?? ''} onChange={(e) => setReasons({ ...reasons, [a.name]: e.target.value })} maxLength={512} />
            <div className="actions">
              <button type="button" disabled={!key} onClick={() => void decide(a, 'approve')}>Approve<span className="sr-only"> {a.name}</span></button>
              <button type="button" className="danger" disabled={!key} onClick={() => void decide(a, 'reject')}>Reject<span className="sr-only"> {a.name}</span></button>
            </div>
          </article>
        );
      })}
    </section>
  );
}

function safeJson(s: string): Record<string, unknown> {
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
