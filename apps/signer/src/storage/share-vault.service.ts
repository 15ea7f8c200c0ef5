import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { assertRecordsSealedBy, openShare, sealShare, sealedShareFromJson, sealedShareToJson, VaultError, type ShareScheme } from '@custody/key-vault';
import { StartupCheckFailed } from '@custody/platform';
import type { SignerConfig } from '../config';
import { SignerRepository } from './signer.repository';
import { SIGNER_CONFIG } from './signer.tokens';

/**
 * The only place where the signer's secret state becomes bytes: key shares, presignatures and nonce
 * pairs are sealed under the node's key-encryption key (a data key per record), bound to the record's
 * id, this signer and the scheme, and opened again only here.
 */
@Injectable()
export class ShareVault implements OnModuleInit {
  constructor(
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
    private readonly repository: SignerRepository,
  ) {}

  /** Fails closed at start-up when the stored records were sealed by another key-encryption key. */
  async onModuleInit(): Promise<void> {
    try {
      assertRecordsSealedBy(this.config.kek, await this.repository.sealedKekIds());
    } catch (error) {
      if (error instanceof VaultError) throw new StartupCheckFailed(`SIGNER_KEK is not the key these shares were sealed with (${error.message})`);
      throw error;
    }
  }

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
