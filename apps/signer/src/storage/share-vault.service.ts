import { Inject, Injectable } from '@nestjs/common';
import { openShare, sealShare, sealedShareFromJson, sealedShareToJson, type ShareScheme } from '@custody/key-vault';
import type { SignerConfig } from '../config';
import { SIGNER_CONFIG } from './signer.tokens';

/**
 * The only place where the signer's secret state becomes bytes: key shares, presignatures and nonce
 * pairs are sealed under the node's key-encryption key (a data key per record), bound to the record's
 * id, this signer and the scheme, and opened again only here.
 */
@Injectable()
export class ShareVault {
  constructor(@Inject(SIGNER_CONFIG) private readonly config: SignerConfig) {}

  seal(recordId: string, scheme: ShareScheme, plaintext: Uint8Array): string {
    try {
      return sealedShareToJson(sealShare(this.config.kek, plaintext, { keyId: recordId, signerId: this.config.signerId, scheme }));
    } finally {
      plaintext.fill(0);
    }
  }

  open(recordId: string, scheme: ShareScheme, sealedJson: string): Uint8Array {
    return openShare(this.config.kek, sealedShareFromJson(sealedJson), { keyId: recordId, signerId: this.config.signerId, scheme });
  }

  get kekId(): string {
    return this.config.kek.toJSON().kekId;
  }
}
