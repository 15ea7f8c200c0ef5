import {
  checkGrant,
  decodeSignGrant,
  encodeSignGrant,
  encodeSignRequest,
  grantId,
  grantSigningBytes,
  GrantRefused,
  requestDigest,
  signingInput,
  signRequestFromJson,
  signRequestToJson,
  SignGrantInputError,
} from './index';
import { approval, APPROVER_KEYS, ENGINE_PUBLIC, grant, ISSUED_AT, REQUEST } from '../test/test-only-fixtures';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const checkOptions = {
  enginePublicKey: ENGINE_PUBLIC,
  approverKeys: APPROVER_KEYS,
  now: ISSUED_AT,
  requestedSigningInput: signingInput(REQUEST.payload, REQUEST.scheme),
};

function malformed(json: string): SignGrantInputError {
  try {
    decodeSignGrant(json);
  } catch (e) {
    if (e instanceof SignGrantInputError) return e;
    throw new Error('expected SignGrantInputError', { cause: e });
  }
  throw new Error('expected SignGrantInputError, the grant decoded');
}

describe('sign grant JSON codec', () => {
  it('round-trips, and a decoded grant still passes the check', () => {
    const g = grant();
    const json = encodeSignGrant(g);
    const back = decodeSignGrant(json);
    expect(back).toEqual(g);
    expect(encodeSignGrant(back)).toBe(json);
    expect(() => checkGrant(back, checkOptions)).not.toThrow();
  });

  it('round-trips a request for approver apps', () => {
    const json = signRequestToJson(REQUEST);
    expect(signRequestFromJson(JSON.parse(JSON.stringify(json)))).toEqual(REQUEST);
    expect(() => signRequestFromJson({ ...json, payload: { ...json.payload, message: 'ABCD' } })).toThrow(SignGrantInputError);
  });

  const doc = () => JSON.parse(encodeSignGrant(grant())) as Record<string, unknown> & { request: Record<string, unknown>; approvals: Array<Record<string, unknown>> };
  const bad: Array<[string, () => unknown]> = [
    ['an unknown top-level field', () => ({ ...doc(), note: 'x' })],
    ['a missing field', () => ({ ...doc(), expiresAt: undefined })],
    ['an unknown request field', () => { const d = doc(); return { ...d, request: { ...d.request, amount: '1' } }; }],
    ['an unknown approval field', () => { const d = doc(); return { ...d, approvals: [{ ...d.approvals[0], weight: 2 }, d.approvals[1]] }; }],
    ['upper-case hex', () => { const d = doc(); return { ...d, engineSignature: (d.engineSignature as string).toUpperCase() }; }],
    ['odd-length hex', () => { const d = doc(); return { ...d, engineSignature: (d.engineSignature as string).slice(1) }; }],
    ['a short signature', () => { const d = doc(); return { ...d, engineSignature: (d.engineSignature as string).slice(2) }; }],
    ['a timestamp as a string', () => ({ ...doc(), issuedAt: String(ISSUED_AT) })],
    ['a fractional timestamp', () => ({ ...doc(), issuedAt: ISSUED_AT + 0.5 })],
    ['a timestamp beyond 2^53', () => ({ ...doc(), expiresAt: 2 ** 60 })],
    ['a negative quorum', () => ({ ...doc(), requiredApprovals: -1 })],
    ['version 2', () => ({ ...doc(), version: 2 })],
    ['approvals as an object', () => ({ ...doc(), approvals: {} })],
    ['a hardened derivation index', () => { const d = doc(); return { ...d, request: { ...d.request, derivationPath: [2 ** 31] } }; }],
    ['a derivation path as a string', () => { const d = doc(); return { ...d, request: { ...d.request, derivationPath: '0/7' } }; }],
    ['an array', () => []],
    ['null', () => null],
  ];
  it.each(bad)('refuses %s, naming the field', (_name, make) => {
    expect(malformed(JSON.stringify(make())).argument).toMatch(/^grant/);
  });

  it('refuses text that is not JSON, and never throws anything but SignGrantInputError on garbled input', () => {
    expect(malformed('{').message).toMatch(/not valid JSON/);
    const json = encodeSignGrant(grant({ approvals: [approval('alice', 'alice@ops'), approval('bob', 'bob@ops')] }));
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const at = next() % json.length;
      const garbled = json.slice(0, at) + String.fromCharCode(32 + (next() % 95)) + json.slice(at + 1 + (next() % 3));
      try {
        const g = decodeSignGrant(garbled);
        // A change that still decodes must fail the check (or be a no-op, e.g. same character).
        if (encodeSignGrant(g) !== json) expect(() => checkGrant(g, checkOptions)).toThrow(GrantRefused);
      } catch (e) {
        expect(e).toBeInstanceOf(SignGrantInputError);
      }
    }
  });
});

describe('signed encodings, pinned (snapshots: a change here breaks every deployed engine and signer)', () => {
  const g = grant();
  it('pins the request encoding, its digest, the approval signatures and the grant encoding', () => {
    expect(hex(encodeSignRequest(REQUEST))).toMatchSnapshot('request encoding');
    expect(hex(requestDigest(REQUEST))).toMatchSnapshot('request digest');
    expect(g.approvals.map((a) => `${a.approverId}:${hex(a.signature)}`)).toMatchSnapshot('approval signatures');
    expect(hex(grantSigningBytes(g))).toMatchSnapshot('grant signing bytes');
    expect(hex(g.engineSignature)).toMatchSnapshot('engine signature');
    expect(hex(grantId(g))).toMatchSnapshot('grant id');
    expect(encodeSignGrant(g)).toMatchSnapshot('grant JSON text');
  });

  it('starts the request encoding with its length-prefixed domain tag', () => {
    const tag = Buffer.from('custody/sign-request/v1');
    const bytes = Buffer.from(encodeSignRequest(REQUEST));
    expect(bytes.readUInt32BE(0)).toBe(tag.length);
    expect(bytes.subarray(4, 4 + tag.length).equals(tag)).toBe(true);
  });
});
