import { decodeBase64Strict, hashLeaf, openNote, parseCheckpoint, verifierFromKey, verifyConsistency, verifyInclusion, type Checkpoint, type NoteVerifier } from '@custody/transparency-log';

/**
 * The auditor's checks, run in the browser with the project's own RFC 9162 / C2SP library: nothing the
 * server says is taken on trust except through keys the auditor pinned in this browser.
 */

/** The keys an auditor pins (C2SP vkey strings): the log's, and the witnesses' (the signers'). */
export interface TrustedKeys {
  readonly log: string;
  readonly witnesses: readonly string[];
}

export interface CheckpointView {
  readonly size: string;
  readonly rootHash: string;
  readonly note: string;
}

export interface VerifiedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** Pinned witnesses whose cosignature verified. */
  readonly witnesses: readonly string[];
  /** Signature lines from keys this browser does not know (ignored, as signed-note says). */
  readonly unknown: readonly string[];
}

function verifiers(keys: TrustedKeys): { log: NoteVerifier; witnesses: NoteVerifier[] } {
  return { log: verifierFromKey(keys.log.trim()), witnesses: keys.witnesses.map((k) => k.trim()).filter(Boolean).map(verifierFromKey) };
}

/** Opens a checkpoint note: the log's signature must verify; each pinned witness's cosignature is reported. */
export function verifyCheckpoint(view: CheckpointView, keys: TrustedKeys): VerifiedCheckpoint {
  const v = verifiers(keys);
  const byLog = openNote(view.note, [v.log]);
  if (!byLog.verified.includes(v.log)) throw new Error('the checkpoint is not signed by the pinned log key');
  const all = openNote(view.note, [v.log, ...v.witnesses]);
  const checkpoint = parseCheckpoint(all.text);
  if (String(checkpoint.size) !== view.size) throw new Error(`the server says size ${view.size}, the signed checkpoint ${checkpoint.size}`);
  return {
    checkpoint,
    witnesses: all.verified.filter((x) => x !== v.log).map((x) => x.name),
    unknown: all.unverified.map((s) => s.name),
  };
}

export interface RecordProofView {
  readonly record: { readonly index: string; readonly canonical: string; readonly leafHash: string };
  readonly inclusionProof: readonly string[];
  readonly checkpoint: CheckpointView;
}

export interface VerifiedInclusion extends VerifiedCheckpoint {
  readonly index: number;
  readonly leafHash: string;
}

/** Recomputes the record's leaf hash from its bytes and checks its inclusion proof up to the signed root. */
export function verifyRecordInclusion(view: RecordProofView, keys: TrustedKeys): VerifiedInclusion {
  return inclusionUnder(view, verifyCheckpoint(view.checkpoint, keys));
}

export type RecordCheck = { readonly index: string; readonly result: VerifiedInclusion } | { readonly index: string; readonly error: string };

/**
 * A page of records: each record as {@link verifyRecordInclusion} checks it, but each distinct
 * checkpoint (a page's proofs normally all come with the latest one) is opened and its signatures
 * checked once, not once per record. A record that fails is reported with why; the others still count.
 */
export function verifyRecordsInclusion(views: readonly RecordProofView[], keys: TrustedKeys): RecordCheck[] {
  const checkpoints = new Map<string, { cp: VerifiedCheckpoint } | { error: string }>();
  return views.map((view) => {
    const key = `${view.checkpoint.size}\n${view.checkpoint.note}`;
    let checked = checkpoints.get(key);
    if (checked === undefined) {
      try {
        checked = { cp: verifyCheckpoint(view.checkpoint, keys) };
      } catch (e) {
        checked = { error: messageOf(e) };
      }
      checkpoints.set(key, checked);
    }
    if ('error' in checked) return { index: view.record.index, error: checked.error };
    try {
      return { index: view.record.index, result: inclusionUnder(view, checked.cp) };
    } catch (e) {
      return { index: view.record.index, error: messageOf(e) };
    }
  });
}

/** A record as ListAuditRecords with view `full` answers it: its bytes, leaf hash and inclusion proof at the page's checkpoint. */
export interface ProvedRecordView {
  readonly index: string;
  readonly canonical: string;
  readonly leafHash: string;
  readonly inclusionProof?: readonly string[];
}

/** The answer of ListAuditRecords with view `full` (its pages merged): records, and the one checkpoint their proofs are against. */
export interface ProvedPageView {
  readonly records: readonly ProvedRecordView[];
  readonly checkpoint: CheckpointView;
}

/**
 * The records a page lists, checked against the server's answer with their proofs (one checkpoint,
 * opened and its signatures checked once): each listed record must come back with the same index and
 * the same bytes (else the proof is not for the record listed), and is then checked as
 * {@link verifyRecordInclusion} checks one: its bytes hash to its leaf hash, its proof leads to the
 * root the pinned log key signed. One check per listed record, in the listed order.
 */
export function verifyListedRecords(listed: readonly { readonly index: string; readonly canonical: string }[], answer: ProvedPageView, keys: TrustedKeys): RecordCheck[] {
  const proved = new Map<string, ProvedRecordView>();
  for (const r of answer.records) if (!proved.has(r.index)) proved.set(r.index, r);
  const views: RecordProofView[] = [];
  const refused = new Map<number, string>();
  listed.forEach((l, i) => {
    const p = proved.get(l.index);
    if (p === undefined) refused.set(i, 'the server did not return this record with its proof');
    else if (p.canonical !== l.canonical) refused.set(i, 'the record listed is not the record the proof is for');
    else views.push({ record: p, inclusionProof: p.inclusionProof ?? [], checkpoint: answer.checkpoint });
  });
  const checked = verifyRecordsInclusion(views, keys);
  let next = 0;
  return listed.map((l, i): RecordCheck => {
    const why = refused.get(i);
    return why !== undefined ? { index: l.index, error: why } : checked[next++]!;
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function inclusionUnder(view: RecordProofView, cp: VerifiedCheckpoint): VerifiedInclusion {
  const index = Number(view.record.index);
  if (!Number.isSafeInteger(index) || index < 0) throw new Error('the record index is not a number');
  if (index >= cp.checkpoint.size) throw new Error(`record ${index} is not in the checkpoint (size ${cp.checkpoint.size}) yet`);
  const leaf = hashLeaf(decodeBase64Strict('record.canonical', view.record.canonical, 1 << 22));
  const leafHex = Array.from(leaf, (b) => b.toString(16).padStart(2, '0')).join('');
  if (leafHex !== view.record.leafHash) throw new Error('the record bytes do not hash to the leaf hash the server gave');
  const proof = view.inclusionProof.map((p, i) => decodeBase64Strict(`inclusionProof[${i}]`, p));
  verifyInclusion(index, cp.checkpoint.size, leaf, proof, cp.checkpoint.rootHash);
  return { ...cp, index, leafHash: leafHex };
}

export interface RememberedCheckpoint {
  readonly size: number;
  readonly rootHash: string;
  readonly at: string;
}

/** The log today is an extension of the one remembered: the consistency proof from the old size to the new signed checkpoint. */
export function verifyConsistencySince(old: RememberedCheckpoint, answer: { proof: readonly string[]; checkpoint: CheckpointView }, keys: TrustedKeys): VerifiedCheckpoint {
  const cp = verifyCheckpoint(answer.checkpoint, keys);
  const proof = answer.proof.map((p, i) => decodeBase64Strict(`proof[${i}]`, p));
  verifyConsistency(old.size, cp.checkpoint.size, proof, decodeBase64Strict('remembered.rootHash', old.rootHash), cp.checkpoint.rootHash);
  return cp;
}

export function rootHashBase64(cp: Checkpoint): string {
  let s = '';
  for (const b of cp.rootHash) s += String.fromCharCode(b);
  return btoa(s);
}
