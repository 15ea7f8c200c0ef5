import type { Command } from 'commander';
import { connectPostgres } from '@custody/persistence';
import { CliUsageError } from '../cli-error';

export interface WitnessClearResult {
  readonly cleared: number;
  readonly waivedGrants: number;
}

/**
 * Clears a signer's witness alarms after an operator investigated them: every uncleared
 * `missing-grant` alarm is marked cleared by `operator`, and the grants it named are waived (they
 * will not be demanded again). The evidence rows themselves stay.
 */
export async function clearWitnessAlarms(databaseUrl: URL, operator: string): Promise<WitnessClearResult> {
  if (!/^[A-Za-z0-9._:@-]{1,128}$/.test(operator)) throw new CliUsageError('--operator must be 1..128 of [A-Za-z0-9._:@-]');
  const ds = await connectPostgres(databaseUrl, { poolSize: 1, applicationName: 'custody-witness-clear' });
  try {
    return await ds.transaction(async (tx) => {
      const alarms = (await tx.query(
        "UPDATE signer.witness_evidence SET cleared_at = now(), cleared_by = $1 WHERE kind = 'missing-grant' AND cleared_at IS NULL RETURNING request_ids",
        [operator],
      )) as [{ request_ids: string[] }[], number];
      const ids = alarms[0].flatMap((a) => a.request_ids);
      const waived = (await tx.query(
        'UPDATE signer.witness_grants SET waived_at = now(), waived_by = $2 WHERE request_id = ANY($1::text[]) AND included_in_size IS NULL AND waived_at IS NULL RETURNING request_id',
        [ids, operator],
      )) as [unknown[], number];
      return { cleared: alarms[0].length, waivedGrants: waived[0].length };
    });
  } finally {
    await ds.destroy();
  }
}

export function registerWitnessCommands(program: Command): void {
  const witness = program.command('witness').description("A signer's witness of the audit log");
  witness
    .command('clear')
    .description('Clear the missing-grant alarms of one signer (it then takes part in signing again); the evidence is kept')
    .requiredOption('--database-url <url>', "the signer's own database")
    .requiredOption('--operator <name>', 'who cleared it (recorded)')
    .action(async (o: { databaseUrl: string; operator: string }) => {
      let url: URL;
      try {
        url = new URL(o.databaseUrl);
      } catch {
        throw new CliUsageError('--database-url must be a postgres:// URL');
      }
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new CliUsageError('--database-url must be a postgres:// URL');
      const r = await clearWitnessAlarms(url, o.operator);
      process.stdout.write(`cleared ${r.cleared} alarm(s), waived ${r.waivedGrants} grant(s)\n`);
    });
}
