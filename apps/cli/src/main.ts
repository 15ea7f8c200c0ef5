import { Command, CommanderError } from 'commander';
import { ConfigError } from '@custody/config';
import { CliUsageError } from './cli-error';
import { registerChainCommands } from './commands/chain.command';
import { registerLedgerCommands } from './commands/ledger.command';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerMpcCommands } from './commands/mpc.command';
import { DEFAULT_SECRETS_DIR, registerUpCommand } from './commands/up.command';
import { registerAuditCommands } from './commands/audit.command';
import { registerWitnessCommands } from './commands/witness.command';
import { registerClientCommands } from './commands/client.command';
import { registerDemoCommand } from './commands/demo.command';
import { registerPolicyApiCommands } from './commands/policy-api.command';
import { registerWalletCommands } from './commands/wallet.command';

function buildProgram(): Command {
  const program = new Command('custody')
    .description('Operator tool of the MPC custody service')
    .showHelpAfterError()
    .exitOverride();
  registerMigrateCommand(program);
  registerUpCommand(program);
  registerMpcCommands(program);
  registerLedgerCommands(program);
  registerAuditCommands(program);
  registerWitnessCommands(program);
  registerClientCommands(program, DEFAULT_SECRETS_DIR);
  registerPolicyApiCommands(program, DEFAULT_SECRETS_DIR);
  registerWalletCommands(program, DEFAULT_SECRETS_DIR);
  registerChainCommands(program);
  registerDemoCommand(program, DEFAULT_SECRETS_DIR);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof ConfigError) {
      // A malformed or empty variable (DATABASE_URL=''): one line naming it, EX_CONFIG like the services.
      process.stderr.write(`custody: ${error.message}\n`);
      process.exitCode = 78;
      return;
    }
    if (error instanceof CliUsageError) {
      process.stderr.write(`custody: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`custody: ${message}\n`);
    process.exitCode = 1;
  }
}

void main(process.argv);
