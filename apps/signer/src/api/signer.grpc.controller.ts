import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { InvalidInputError } from '@custody/mpc-core';
import { KeysService } from '../keys/keys.service';
import { SigningService } from '../signing/signing.service';
import type { KeyRecord, KeyScheme } from '../storage/signer.repository';
import { decoded } from './request-decoding';
import { SignerErrorsFilter } from './signer-errors.filter';
import { WitnessService } from '../witness/witness.service';

/** proto signer.v1.Scheme */
const SCHEMES: Record<number, KeyScheme> = { 1: 'ecdsa', 2: 'eddsa' };
const SCHEME_NUMBERS: Record<KeyScheme, number> = { ecdsa: 1, eddsa: 2 };

interface KeyInfo {
  keyId: string;
  scheme: number;
  publicKey: Buffer;
  chainCode: Buffer;
  threshold: number;
  participants: number[];
  generation: number;
}

function keyInfo(key: KeyRecord): KeyInfo {
  return {
    keyId: key.keyId,
    scheme: SCHEME_NUMBERS[key.scheme],
    publicKey: Buffer.from(key.publicKey),
    chainCode: Buffer.from(key.chainCode ?? new Uint8Array(0)),
    threshold: key.threshold,
    participants: [...key.participants],
    generation: key.generation,
  };
}

function scheme(value: unknown): KeyScheme {
  const s = typeof value === 'number' ? SCHEMES[value] : undefined;
  if (!s) throw new InvalidInputError('scheme', 'must be SCHEME_ECDSA_SECP256K1 or SCHEME_EDDSA_ED25519');
  return s;
}

/**
 * signer.v1.SignerService: thin; the rules live in the services, which check every argument before
 * any database or peer call (./signer-inputs.ts). A request that did not decode arrives as a marker
 * (./request-decoding.ts) and `decoded()` refuses it.
 */
@Controller()
@UseFilters(SignerErrorsFilter)
export class SignerGrpcController {
  constructor(
    private readonly keys: KeysService,
    private readonly signing: SigningService,
    private readonly witness: WitnessService,
  ) {}

  @GrpcMethod('SignerService', 'AddCheckpoint')
  async addCheckpoint(raw: { oldSize?: number; consistencyProof?: Buffer[]; checkpoint?: string; grantInclusions?: { requestId?: string; index?: number; proof?: Buffer[] }[] }): Promise<{ cosignature: string }> {
    const request = decoded(raw);
    const cosignature = await this.witness.addCheckpoint({
      oldSize: Number(request.oldSize ?? 0),
      consistencyProof: (request.consistencyProof ?? []).map((h) => new Uint8Array(h)),
      checkpoint: request.checkpoint ?? '',
      inclusions: (request.grantInclusions ?? []).map((g) => ({ requestId: g.requestId ?? '', index: Number(g.index ?? 0), proof: (g.proof ?? []).map((h) => new Uint8Array(h)) })),
    });
    return { cosignature };
  }

  @GrpcMethod('SignerService', 'GetWitness')
  async getWitness(): Promise<{ verifierKey: string; halted: boolean; cosignedSize: number }> {
    return this.witness.info();
  }

  @GrpcMethod('SignerService', 'CreateKey')
  async createKey(raw: { scheme?: number; threshold?: number; participants?: number[]; timeoutMs?: number }): Promise<KeyInfo> {
    const request = decoded(raw);
    return keyInfo(await this.keys.createKey(scheme(request.scheme), request.threshold ?? 0, request.participants ?? [], request.timeoutMs));
  }

  @GrpcMethod('SignerService', 'RefreshKey')
  async refreshKey(raw: { keyId?: string; timeoutMs?: number }): Promise<KeyInfo> {
    const request = decoded(raw);
    return keyInfo(await this.keys.refreshKey(request.keyId ?? '', request.timeoutMs));
  }

  @GrpcMethod('SignerService', 'GetKey')
  async getKey(raw: { keyId?: string }): Promise<KeyInfo> {
    const request = decoded(raw);
    return keyInfo(await this.keys.getKey(request.keyId ?? ''));
  }

  @GrpcMethod('SignerService', 'Sign')
  async sign(raw: { grant?: Buffer; signers?: number[]; timeoutMs?: number; signingInput?: Buffer }): Promise<{ requestId: string; signature: Buffer; recoveryId: number; der: Buffer; publicKey: Buffer }> {
    const request = decoded(raw);
    let grant: string;
    try {
      grant = new TextDecoder('utf-8', { fatal: true }).decode(request.grant ?? new Uint8Array(0));
    } catch {
      throw new InvalidInputError('grant', 'must be UTF-8 JSON');
    }
    const outcome = await this.signing.sign(grant, request.signers ?? [], new Uint8Array(request.signingInput ?? new Uint8Array(0)), request.timeoutMs);
    return {
      requestId: outcome.requestId,
      signature: Buffer.from(outcome.signature),
      recoveryId: outcome.recoveryId,
      der: Buffer.from(outcome.der),
      publicKey: Buffer.from(outcome.publicKey),
    };
  }

  @GrpcMethod('SignerService', 'Presign')
  async presign(raw: { keyId?: string; signers?: number[]; count?: number; timeoutMs?: number }): Promise<{ created: number }> {
    const request = decoded(raw);
    return { created: await this.signing.presign(request.keyId ?? '', request.signers ?? [], request.count ?? 0, request.timeoutMs) };
  }
}
