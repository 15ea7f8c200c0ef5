import { Command } from 'commander';
import { registerEcdsaCommand } from './mpc-ecdsa.command';
import { registerFrostCommands } from './mpc-frost.command';

/**
 * `custody mpc …`: run a threshold protocol between in-process parties, for anyone to try the
 * cryptography without a cluster. Each scheme registers its own sub-command here.
 */
export function registerMpcCommands(program: Command): void {
  const mpc = program
    .command('mpc')
    .description('run a threshold protocol between in-process parties and print the result as JSON');
  registerEcdsaCommand(mpc);
  registerFrostCommands(mpc);
  void mpc;
}
