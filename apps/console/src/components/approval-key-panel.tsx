import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { bytesToHex, createKeyPair, importSeed } from '../keys/key-pair';
import { forgetApprovalKey, loadApprovalKey, saveApprovalKey, type ApprovalKey } from '../keys/key-store';

/**
 * My approval key (approvers and admins): the key the policy engine (and, for approvers, the signers)
 * pin, apart from the API key. Imported or made here, non-extractable, kept in IndexedDB.
 */
export function ApprovalKeyPanel({ approverId, onChange }: { approverId: string; onChange: (key: ApprovalKey | undefined) => void }): ReactElement {
  const [key, setKey] = useState<ApprovalKey | undefined>();
  const [seed, setSeed] = useState('');
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    void loadApprovalKey().then((k) => {
      setKey(k);
      onChange(k);
    });
  }, []);

  async function make(event: FormEvent, mode: 'create' | 'import'): Promise<void> {
    event.preventDefault();
    setError(undefined);
    try {
      const pair = mode === 'create' ? await createKeyPair() : await importSeed(seed);
      const k: ApprovalKey = { approverId, ...pair, origin: mode === 'create' ? 'created' : 'imported' };
      await saveApprovalKey(k);
      setSeed('');
      setKey(k);
      onChange(k);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  if (key)
    return (
      <p>
        Approval key <code data-testid="approval-key">{bytesToHex(key.publicKey)}</code> ({key.origin}).{' '}
        <button type="button" className="danger" onClick={() => void forgetApprovalKey().then(() => { setKey(undefined); onChange(undefined); })}>Forget approval key</button>
      </p>
    );
  return (
    <div className="card">
      <p>Decisions are signed with your approval key, which the policy engine (and the signers) pin; it is not your API key.</p>
      <form onSubmit={(e) => void make(e, 'import')}>
        <label htmlFor="approval-seed">Approval key seed (64 hex digits)</label>
        <input id="approval-seed" value={seed} onChange={(e) => setSeed(e.target.value)} autoComplete="off" spellCheck={false} />
        <button type="submit">Import approval key</button>
      </form>
      <form onSubmit={(e) => void make(e, 'create')}>
        <button type="submit" className="secondary">Create an approval key in this browser</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
    </div>
  );
}
