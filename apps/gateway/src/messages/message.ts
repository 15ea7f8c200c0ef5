import type { MessageHash } from '@custody/sign-grant';

export type MessageState = 'evaluating' | 'pending-approval' | 'signing' | 'signed' | 'rejected' | 'failed';
export const TERMINAL_STATES: readonly MessageState[] = ['signed', 'rejected', 'failed'];

/** A raw message signing request and where it stands. */
export interface MessageRecord {
  readonly messageId: string;
  readonly position: string;
  readonly walletId: string;
  readonly message: Uint8Array;
  readonly hash: MessageHash;
  readonly state: MessageState;
  readonly reason: string;
  readonly signature: Uint8Array | undefined;
  readonly recoveryId: number | undefined;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** REST JSON and gRPC `custody.v1.SignedMessage`. */
export interface MessageView {
  name: string;
  wallet: string;
  message: string;
  state: string;
  signature: string;
  hash: string;
  recoveryId: number;
  reason: string;
  publicKey: string;
  createTime: string;
  scheme: string;
}
