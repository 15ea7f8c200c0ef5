import { useEffect, useState, type ReactElement } from 'react';
import type { SectionProps } from '../sections';
import { describe } from './clients-page';
import { useEventRefresh } from '../events';

interface Wallet { name: string; displayName: string; scheme: string; publicKey: string; createTime: string; custody: string }
interface Address { name: string; chain: string; address: string; derivationPath: string; index: number }
interface Balance { asset: string; chain: string; available: string; held: string; posted: string; pending: string }
interface Deposit { name: string; asset: string; amount: string; txHash: string; state: string; confirmations: number }
interface Withdrawal { name: string; state: string; amount?: string; asset?: string; destination?: string; createTime?: string; updateTime?: string; reason?: string; history?: { state: string; time?: string; reason?: string }[] }

/** Bars of values per label, drawn as an SVG the page owns (no charting library, no external resource). */
export function BarChart({ title, data }: { title: string; data: { label: string; value: number }[] }): ReactElement {
  const max = Math.max(1, ...data.map((d) => d.value));
  const w = 40;
  return (
    <figure>
      <svg className="chart" viewBox={`0 0 ${Math.max(1, data.length) * w + 10} 130`} role="img" aria-label={`${title}: ${data.map((d) => `${d.label} ${d.value}`).join(', ') || 'no data'}`}>
        {data.map((d, i) => {
          const h = Math.round((d.value / max) * 100);
          return (
            <g key={d.label}>
              <rect x={i * w + 10} y={110 - h} width={w - 12} height={h} fill="#0b5cad" />
              <text x={i * w + 10} y={125} fontSize="9" fill="#1a1a1a">{d.label}</text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

function perDay<T>(items: T[], time: (t: T) => string | undefined): { label: string; value: number }[] {
  const counts = new Map<string, number>();
  for (const it of items) {
    const t = time(it);
    if (!t) continue;
    const day = t.slice(5, 10);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(-14).map(([label, value]) => ({ label, value }));
}

/** The operator's view: wallets, their addresses, balances and deposits; withdrawals with their states; volumes over time. */
export function OperationsPage({ api, roles }: SectionProps): ReactElement {
  const [wallets, setWallets] = useState<Wallet[]>([]);
  const [selected, setSelected] = useState<string | undefined>();
  const [addresses, setAddresses] = useState<Address[]>([]);
  const [balances, setBalances] = useState<Balance[]>([]);
  const [deposits, setDeposits] = useState<Deposit[]>([]);
  const [withdrawals, setWithdrawals] = useState<Withdrawal[]>([]);
  const [newWallet, setNewWallet] = useState({ displayName: '', scheme: 'ecdsa-secp256k1' });
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const operator = roles.includes('operator') || roles.includes('admin');

  async function loadWallets(): Promise<void> {
    try {
      setWallets(await api.list<Wallet>('/v1/wallets', 'wallets'));
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
    try {
      setWithdrawals(await api.list<Withdrawal>('/v1/withdrawals', 'withdrawals', 500));
    } catch {
      setWithdrawals([]);
    }
  }

  async function open(name: string): Promise<void> {
    setSelected(name);
    const id = encodeURIComponent(name.replace(/^wallets\//, ''));
    try {
      const [a, b, d] = await Promise.all([
        api.list<Address>(`/v1/wallets/${id}/addresses`, 'addresses'),
        api.list<Balance>(`/v1/wallets/${id}/balances`, 'balances'),
        api.list<Deposit>(`/v1/deposits?wallet=${encodeURIComponent(name)}`, 'deposits'),
      ]);
      setAddresses(a);
      setBalances(b);
      setDeposits(d);
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  useEffect(() => {
    void loadWallets();
  }, []);
  useEventRefresh(api, ['deposit.', 'withdrawal.'], () => {
    void loadWallets();
    if (selected) void open(selected);
  });

  async function createWallet(): Promise<void> {
    setMessage(undefined);
    try {
      const w = await api.request<Wallet>('POST', '/v1/wallets', { displayName: newWallet.displayName || undefined, scheme: newWallet.scheme });
      setMessage({ text: `Created ${w.name}.`, error: false });
      await loadWallets();
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  async function newAddress(chain: string): Promise<void> {
    if (!selected) return;
    try {
      await api.request('POST', `/v1/wallets/${encodeURIComponent(selected.replace(/^wallets\//, ''))}/addresses`, { chain });
      await open(selected);
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  const pending = withdrawals.filter((w) => /pending|approval|requested/i.test(w.state));
  return (
    <section aria-labelledby="ops-title">
      <h2 id="ops-title">Operations</h2>
      {message && <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'ok'}>{message.text}</p>}
      {operator && (
        <div className="card">
          <label htmlFor="wallet-name">New wallet name</label>
          <input id="wallet-name" value={newWallet.displayName} onChange={(e) => setNewWallet({ ...newWallet, displayName: e.target.value })} />
          <label htmlFor="wallet-scheme">Scheme</label>
          <select id="wallet-scheme" value={newWallet.scheme} onChange={(e) => setNewWallet({ ...newWallet, scheme: e.target.value })}>
            <option value="ecdsa-secp256k1">ECDSA secp256k1 (EVM)</option>
            <option value="eddsa-ed25519">EdDSA Ed25519</option>
          </select>
          <button type="button" onClick={() => void createWallet()}>Create wallet</button>
        </div>
      )}
      <div className="table-wrap">
        <table data-testid="wallets">
          <caption>Wallets</caption>
          <thead><tr><th scope="col">Wallet</th><th scope="col">Name</th><th scope="col">Scheme</th><th scope="col">Custody</th><th scope="col"><span className="sr-only">Open</span></th></tr></thead>
          <tbody>
            {wallets.map((w) => (
              <tr key={w.name}>
                <td>{w.name}</td><td>{w.displayName || '—'}</td><td>{w.scheme}</td><td>{w.custody}</td>
                <td><button type="button" className="secondary" onClick={() => void open(w.name)}>Open<span className="sr-only"> {w.name}</span></button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected && (
        <article className="card" aria-labelledby="wallet-title">
          <h3 id="wallet-title">{selected}</h3>
          {operator && <button type="button" className="secondary" onClick={() => void newAddress('anvil')}>New deposit address</button>}
          <div className="table-wrap">
            <table data-testid="addresses">
              <caption>Deposit addresses</caption>
              <thead><tr><th scope="col">#</th><th scope="col">Chain</th><th scope="col">Address</th><th scope="col">Path</th></tr></thead>
              <tbody>{addresses.map((a) => <tr key={a.name}><td>{a.index}</td><td>{a.chain}</td><td><code>{a.address}</code></td><td>{a.derivationPath}</td></tr>)}</tbody>
            </table>
          </div>
          <div className="table-wrap">
            <table data-testid="balances">
              <caption>Balances (smallest units)</caption>
              <thead><tr><th scope="col">Asset</th><th scope="col">Available</th><th scope="col">Held</th><th scope="col">Posted</th><th scope="col">Pending</th></tr></thead>
              <tbody>{balances.map((b) => <tr key={`${b.chain}/${b.asset}`}><td>{b.asset} ({b.chain})</td><td>{b.available}</td><td>{b.held}</td><td>{b.posted}</td><td>{b.pending}</td></tr>)}</tbody>
            </table>
          </div>
          <div className="table-wrap">
            <table>
              <caption>Deposits</caption>
              <thead><tr><th scope="col">Deposit</th><th scope="col">Amount</th><th scope="col">State</th><th scope="col">Confirmations</th></tr></thead>
              <tbody>{deposits.map((d) => <tr key={d.name}><td><code>{d.txHash.slice(0, 14)}…</code></td><td>{d.amount} {d.asset}</td><td>{d.state}</td><td>{d.confirmations}</td></tr>)}</tbody>
            </table>
          </div>
        </article>
      )}
      <h3>Withdrawals</h3>
      <div className="table-wrap">
        <table>
          <caption>Withdrawals and their timelines</caption>
          <thead><tr><th scope="col">Withdrawal</th><th scope="col">Amount</th><th scope="col">State</th><th scope="col">Timeline</th></tr></thead>
          <tbody>
            {withdrawals.map((w) => (
              <tr key={w.name}>
                <td>{w.name}</td>
                <td>{w.amount ?? '—'} {w.asset ?? ''}</td>
                <td>{w.state}{w.reason ? ` (${w.reason})` : ''}</td>
                <td>{w.history?.length ? <ol>{w.history.map((h, i) => <li key={i}>{h.state}{h.time ? ` ${new Date(h.time).toLocaleString()}` : ''}{h.reason ? ` — ${h.reason}` : ''}</li>)}</ol> : w.updateTime ? new Date(w.updateTime).toLocaleString() : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <BarChart title="Withdrawals per day" data={perDay(withdrawals, (w) => w.createTime)} />
      <BarChart title="Withdrawals waiting for approval, by day requested" data={perDay(pending, (w) => w.createTime)} />
    </section>
  );
}
