import { Inject, Injectable } from '@nestjs/common';
import { hexToBytes } from '@noble/hashes/utils.js';
import { ed25519VerifyNative } from '@custody/peer-auth';
import { checkGrant, decodeSignGrant, GrantRefused, SignGrantInputError, type SignGrant, type SignScheme } from '@custody/sign-grant';
import type { SignerConfig } from '../config';
import { InvitationRefused } from '../node/protocol-handler';
import { SIGNER_CONFIG } from '../storage/signer.tokens';

/**
 * The sign grant check every signer makes for itself before any round: the policy engine's signature,
 * the expiry, that what it is asked to sign is exactly what the granted payload yields, and the
 * approvals' signatures against the approver keys pinned in this node's configuration, up to the
 * quorum the grant states and at least this node's own floor. (That the request id was never signed
 * here is checked against this node's database when the request is claimed.) For an `evm-transaction`
 * payload, libs/sign-grant re-encodes the transaction with libs/chain-core and compares its EIP-1559
 * signing hash with the digest this session is asked to sign: any other digest is refused
 * (`digest-mismatch`), as is a grant older than SIGNER_MIN_GRANT_VERSION (`version-not-accepted`).
 */
@Injectable()
export class GrantCheck {
  constructor(@Inject(SIGNER_CONFIG) private readonly config: SignerConfig) {}

  check(grantJson: string | undefined, keyId: string, scheme: SignScheme, requestedSigningInputHex: string | undefined): SignGrant {
    if (grantJson === undefined) throw new InvitationRefused('no grant');
    if (requestedSigningInputHex === undefined) throw new InvitationRefused('no signing input');
    let grant: SignGrant;
    try {
      grant = decodeSignGrant(grantJson);
    } catch (error) {
      if (error instanceof SignGrantInputError) throw new InvitationRefused(`grant refused: malformed (${error.message.slice(0, 120)})`);
      throw error;
    }
    if (grant.request.keyId !== keyId) throw new InvitationRefused('grant refused: it is for another key');
    if (grant.request.scheme !== scheme) throw new InvitationRefused('grant refused: it is for another scheme');
    try {
      checkGrant(grant, {
        enginePublicKey: this.config.policyEnginePublicKey,
        approverKeys: this.config.approverKeys,
        now: Date.now(),
        requestedSigningInput: hexToBytes(requestedSigningInputHex),
        minApprovals: this.config.minApprovals,
        minGrantVersion: this.config.minGrantVersion,
        verifyEd25519: ed25519VerifyNative,
      });
    } catch (error) {
      if (error instanceof GrantRefused) throw new InvitationRefused(`grant refused: ${error.reason}`);
      if (error instanceof SignGrantInputError) throw new InvitationRefused(`grant refused: malformed (${error.message.slice(0, 120)})`);
      throw error;
    }
    return grant;
  }
}
