import type { MigrationSet } from '@custody/persistence';
import { CreateChainIndexerSchema1795500000000 } from './chain-indexer/1795500000000-CreateChainIndexerSchema';
import { CreateChainIndexerTables1795800000000 } from './chain-indexer/1795800000000-CreateChainIndexerTables';
import { CreateChainIndexerWithdrawals1796700000000 } from './chain-indexer/1796700000000-CreateChainIndexerWithdrawals';
import { CreateGatewaySchema1795500000000 } from './gateway/1795500000000-CreateGatewaySchema';
import { CreateGatewayAuthTables1795700000000 } from './gateway/1795700000000-CreateGatewayAuthTables';
import { CreateGatewayEventTables1796800000000 } from './gateway/1796800000000-CreateGatewayEventTables';
import { CreatePipelineCursors1796900000000 } from './gateway/1796900000000-CreatePipelineCursors';
import { CreateWalletTables1796300000000 } from './gateway/1796300000000-CreateWalletTables';
import { CreateWithdrawalTables1796600000000 } from './gateway/1796600000000-CreateWithdrawalTables';
import { WithdrawalSweeps1797000000000 } from './gateway/1797000000000-WithdrawalSweeps';
import { CreateLedgerSchema1795500000000 } from './ledger/1795500000000-CreateLedgerSchema';
import { CreateLedgerTables1795700000000 } from './ledger/1795700000000-CreateLedgerTables';
import { DepositLogIndexBigint1796100000000 } from './ledger/1796100000000-DepositLogIndexBigint';
import { WithdrawalDeadlines1796100100000 } from './ledger/1796100100000-WithdrawalDeadlines';
import { CreatePolicySchema1795500000000 } from './policy/1795500000000-CreatePolicySchema';
import { CreatePolicyTables1795700000000 } from './policy/1795700000000-CreatePolicyTables';
import { CreatePolicyOutbox1796800000000 } from './policy/1796800000000-CreatePolicyOutbox';
import { ApprovalReasons1796400000000 } from './policy/1796400000000-ApprovalReasons';
import { CreateSignerSchema1795500000000 } from './signer/1795500000000-CreateSignerSchema';
import { CreateSignerTables1795500100000 } from './signer/1795500100000-CreateSignerTables';
import { PresignatureOwnership1795500200000 } from './signer/1795500200000-PresignatureOwnership';
import { CreateSignerOwner1795600000000 } from './signer/1795600000000-CreateSignerOwner';
import { CreateAuditSchema1795700000000 } from './audit/1795700000000-CreateAuditSchema';
import { AuditSequencer1796500000000 } from './audit/1796500000000-AuditSequencer';
import { CreateWitnessTables1795700000000 } from './signer/1795700000000-CreateWitnessTables';

/**
 * Every owner's migrations, in order. A new migration is added to its owner's list here; the
 * lists are explicit (no globbing) so the set that runs is the set that was reviewed.
 */
export const MIGRATION_SETS: readonly MigrationSet[] = [
  { owner: 'gateway', database: 'main', migrations: [CreateGatewaySchema1795500000000, CreateGatewayAuthTables1795700000000, CreateWalletTables1796300000000, CreateWithdrawalTables1796600000000, CreateGatewayEventTables1796800000000, CreatePipelineCursors1796900000000, WithdrawalSweeps1797000000000] },
  { owner: 'policy', database: 'main', migrations: [CreatePolicySchema1795500000000, CreatePolicyTables1795700000000, ApprovalReasons1796400000000, CreatePolicyOutbox1796800000000] },
  { owner: 'ledger', database: 'main', migrations: [CreateLedgerSchema1795500000000, CreateLedgerTables1795700000000, DepositLogIndexBigint1796100000000, WithdrawalDeadlines1796100100000] },
  { owner: 'chain-indexer', database: 'main', migrations: [CreateChainIndexerSchema1795500000000, CreateChainIndexerTables1795800000000, CreateChainIndexerWithdrawals1796700000000] },
  { owner: 'audit', database: 'main', migrations: [CreateAuditSchema1795700000000, AuditSequencer1796500000000] },
  { owner: 'signer', database: 'signer', migrations: [CreateSignerSchema1795500000000, CreateSignerTables1795500100000, PresignatureOwnership1795500200000, CreateSignerOwner1795600000000, CreateWitnessTables1795700000000] },
];
