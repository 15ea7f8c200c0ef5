import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import type { SectionProps } from '../sections';
import { describe } from './clients-page';

interface Entry { name: string; address: string; chain: string; label: string; tags: string[]; state: string; request: string }

/** The address book: entries per chain with tags. A change is itself an operation under policy: the answer says whether it needs approvals. */
export function AddressBookPage({ api, roles }: SectionProps): ReactElement {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [form, setForm] = useState({ address: '', chain: '31337', label: '', tags: '' });
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  const editor = roles.includes('compliance-admin');

  async function load(): Promise<void> {
    try {
      setEntries(await api.list<Entry>('/v1/address-book', 'entries'));
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }
  useEffect(() => {
    void load();
  }, []);

  async function add(event: FormEvent): Promise<void> {
    event.preventDefault();
    try {
      const answer = await api.request<Entry>('POST', '/v1/address-book', { address: form.address.trim(), chain: form.chain.trim(), label: form.label, tags: form.tags.split(',').map((t) => t.trim()).filter(Boolean) });
      setMessage({ text: answer.state === 'pending-approval' ? `Submitted: waits for approval (${answer.request}).` : `Added: ${answer.state}.`, error: false });
      await load();
    } catch (e) {
      setMessage({ text: describe(e), error: true });
    }
  }

  return (
    <section aria-labelledby="ab-title">
      <h2 id="ab-title">Address book</h2>
      {message && <p role={message.error ? 'alert' : 'status'} className={message.error ? 'error' : 'ok'}>{message.text}</p>}
      {editor && (
        <form className="card" onSubmit={(e) => void add(e)} aria-label="Add an entry">
          <label htmlFor="ab-address">Address</label>
          <input id="ab-address" value={form.address} onChange={(e) => setForm({ ...form, address: e.target.value })} required spellCheck={false} />
          <label htmlFor="ab-chain">Chain id</label>
          <input id="ab-chain" value={form.chain} onChange={(e) => setForm({ ...form, chain: e.target.value })} inputMode="numeric" required />
          <label htmlFor="ab-label">Label</label>
          <input id="ab-label" value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} />
          <label htmlFor="ab-tags">Tags (comma separated)</label>
          <input id="ab-tags" value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} />
          <button type="submit">Add</button>
        </form>
      )}
      <div className="table-wrap">
        <table>
          <caption>Entries</caption>
          <thead><tr><th scope="col">Label</th><th scope="col">Address</th><th scope="col">Chain</th><th scope="col">Tags</th><th scope="col">State</th></tr></thead>
          <tbody>{entries.map((e) => <tr key={e.name}><td>{e.label || e.name}</td><td><code>{e.address}</code></td><td>{e.chain}</td><td>{e.tags.join(', ')}</td><td>{e.state}</td></tr>)}</tbody>
        </table>
      </div>
    </section>
  );
}
