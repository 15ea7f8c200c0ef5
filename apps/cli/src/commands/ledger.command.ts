import { Command } from 'commander';
import { redactUrl } from '@custody/config';
import { checkLedgerDatabase } from '@custody/ledger-check';
import { CliUsageError } from '../cli-error';
import { readCliEnvironment } from '../cli-config';
import { parseIntegerOption, parseUrlOption } from '../options';

interface CheckFlags {
  databaseUrl?: URL;
  holdGraceMs?: number;
  withdrawalGraceMs?: number;
}

/** Exit code of `custody ledger check` when an invariant does not hold. */
export const EXIT_LEDGER_VIOLATIONS = 1;

/** `custody ledger check`: every invariant of the books on a live database; exit 1 naming each violation. */
export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('operate on the double-entry ledger');
  ledger
    .command('check')
    .description('verify every invariant of the ledger on a live database (entries balanced, balances = postings, no customer negative, holds resolved or live, outbox gap-free, reversals mirror, withdrawals agree with their holds); exit 1 naming each violation')
    .option('--database-url <url>', "the services' database (default: $DATABASE_URL or the local one)", parseUrlOption(['postgres', 'postgresql']))
    .option('--hold-grace-ms <ms>', 'a pending hold is overdue only this long after its deadline (a running ledger sweeps every LEDGER_HOLD_SWEEP_MS)', parseIntegerOption(0, 86_400_000), 0)
    .option(
      '--withdrawal-grace-ms <ms>',
      'also report requested or approved withdrawals still open this long after their deadline (a running ledger expires them every LEDGER_WITHDRAWAL_SWEEP_MS); not checked without it',
      parseIntegerOption(0, 86_400_000),
    )
    .action(async (flags: CheckFlags) => {
      process.exitCode = await ledgerCheck(flags);
    });
}

export async function ledgerCheck(flags: CheckFlags, print: (line: string) => void = (l) => process.stdout.write(l + '\n'), now: number = Date.now()): Promise<number> {
  const url = flags.databaseUrl ?? readCliEnvironment().databaseUrl;
  let report;
  try {
    report = await checkLedgerDatabase(url, now, flags.holdGraceMs ?? 0, flags.withdrawalGraceMs);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '42P01' || code === '3F000') throw new CliUsageError(`the ledger's tables are not in ${redactUrl(url)}: run \`custody migrate\` first`);
    if (error instanceof Error && /ECONNREFUSED|ENOTFOUND|does not exist|timeout/i.test(error.message)) throw new CliUsageError(`Postgres at ${redactUrl(url)} is unreachable: ${error.message.split('\n')[0]!.slice(0, 200)} (set DATABASE_URL or --database-url)`);
    throw error;
  }
  const { counts, violations } = report;
  const summary = `${counts.entries} entries, ${counts.accounts} accounts, ${counts.holds} holds, ${counts.events} outbox events`;
  if (violations.length === 0) {
    print(`ledger check: ok (${summary})`);
    return 0;
  }
  for (const v of violations) print(`ledger check: ${v.invariant}: ${v.subject}: ${v.message}`);
  print(`ledger check: ${violations.length} violation${violations.length === 1 ? '' : 's'} (${summary})`);
  return EXIT_LEDGER_VIOLATIONS;
}
