import {
  consistencyProof,
  equalBytes,
  hashLeaf,
  inclusionProof,
  memoryAccessor,
  openNote,
  parseCheckpoint,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type NoteVerifier,
} from '@custody/transparency-log';
import { checkSignedRequestChains, type ChainKeys, type ChainResult } from './chain';
import { parseExport } from './export-file';
import { decodeRecord, type AuditRecord } from './record';

export interface VerifyExportOptions {
  readonly logVerifier: NoteVerifier;
  readonly witnessVerifiers: readonly NoteVerifier[];
  /** How many of the witnesses must have cosigned (default: all given). */
  readonly witnessQuorum?: number;
  /** A signed checkpoint the auditor kept from before. */
  readonly previous?: string;
  readonly chain: ChainKeys;
}

export interface VerifyExportReport {
  readonly ok: boolean;
  /** The first failure, worded for the auditor, or null. */
  readonly failure: string | null;
  readonly origin: string | null;
  readonly size: number;
  readonly countsByType: Readonly<Record<string, number>>;
  readonly witnessesCosigned: readonly string[];
  readonly previousSize: number | null;
  readonly chains: readonly ChainResult[];
}

class Failure extends Error {}

/**
 * Everything `custody audit verify` checks, in order, stopping at the first failure: the export
 * parses; its checkpoint is signed by the log key, has the export's origin and size; every record is
 * canonical; the tree recomputed from the records has the checkpoint's root and every record's
 * inclusion proof verifies; the previous checkpoint (if given) is signed by the log and consistent;
 * the witness quorum cosigned; every signed request's chain holds.
 */
export function verifyExport(text: string, o: VerifyExportOptions): VerifyExportReport {
  let origin: string | null = null;
  let size = 0;
  const countsByType: Record<string, number> = {};
  let witnessesCosigned: string[] = [];
  let previousSize: number | null = null;
  let chains: ChainResult[] = [];
  const report = (failure: string | null): VerifyExportReport => ({ ok: failure === null, failure, origin, size, countsByType, witnessesCosigned, previousSize, chains });
  try {
    const exp = guard('export', () => parseExport(text));
    origin = exp.origin;
    size = exp.size;
    const opened = guard('checkpoint', () => openNote(exp.checkpoint, [o.logVerifier, ...o.witnessVerifiers]));
    if (!opened.verified.includes(o.logVerifier)) throw new Failure('checkpoint: not signed by the log key');
    const cp = guard('checkpoint', () => parseCheckpoint(opened.text));
    if (cp.origin !== exp.origin) throw new Failure('checkpoint: origin differs from the export header');
    if (cp.size !== exp.size) throw new Failure(`checkpoint: size ${cp.size} differs from the export header's ${exp.size}`);
    if (exp.records.length !== cp.size) throw new Failure(`records: the export holds ${exp.records.length} records, the checkpoint covers ${cp.size}`);
    const records: AuditRecord[] = exp.records.map((bytes, i) => guard(`record ${i}`, () => decodeRecord(bytes)));
    for (const r of records) countsByType[r.type] = (countsByType[r.type] ?? 0) + 1;
    const leaves = exp.records.map((b) => hashLeaf(b));
    const nodes = memoryAccessor(leaves);
    const root = rootHash(nodes, leaves.length);
    if (!equalBytes(root, cp.rootHash)) {
      throw new Failure(`tree: the root recomputed from the ${leaves.length} records is not the checkpoint's (a record was changed, removed, reordered or inserted)`);
    }
    leaves.forEach((leaf, i) => guard(`inclusion of record ${i}`, () => verifyInclusion(i, leaves.length, leaf, inclusionProof(nodes, i, leaves.length), cp.rootHash)));
    if (o.previous !== undefined) {
      const prev = guard('previous checkpoint', () => openNote(o.previous!, [o.logVerifier]));
      const pcp = guard('previous checkpoint', () => parseCheckpoint(prev.text));
      if (pcp.origin !== cp.origin) throw new Failure('previous checkpoint: another log (origin differs)');
      if (pcp.size > cp.size) throw new Failure(`previous checkpoint: size ${pcp.size} is larger than the export's ${cp.size} (the log shrank)`);
      guard('consistency with the previous checkpoint', () => verifyConsistency(pcp.size, cp.size, consistencyProof(nodes, pcp.size, cp.size), pcp.rootHash, cp.rootHash));
      previousSize = pcp.size;
    }
    witnessesCosigned = opened.verified.filter((v) => v !== o.logVerifier).map((v) => v.name);
    const quorum = o.witnessQuorum ?? o.witnessVerifiers.length;
    if (witnessesCosigned.length < quorum) throw new Failure(`witnesses: ${witnessesCosigned.length} of the required ${quorum} cosigned the checkpoint`);
    chains = checkSignedRequestChains(records, o.chain);
    const broken = chains.find((c) => c.failure !== null);
    if (broken) throw new Failure(`chain: ${broken.failure}`);
    return report(null);
  } catch (e) {
    if (e instanceof Failure) return report(e.message);
    throw e;
  }
}

function guard<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new Failure(`${what}: ${(e as Error).message.slice(0, 200)}`);
  }
}
