import { Command, Option } from 'commander';
import { redactUrl } from '@custody/config';
import { migrateAll } from '@custody/local-cluster';
import { DatabaseUnavailableError, signerDatabaseUrl } from '@custody/persistence';
import { CliUsageError } from '../cli-error';
import { readCliEnvironment } from '../cli-config';
import { parseIntegerOption, parseUrlOption } from '../options';

interface MigrateFlags {
  databaseUrl?: URL;
  signers: number;
  only?: 'main' | 'signer';
  signerDatabaseUrl?: URL;
}

/** `custody migrate`: create the databases if needed and apply every pending migration. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('create missing databases and apply pending migrations (services\' database and each signer\'s own)')
    .option('--database-url <url>', 'the services\' database (default: $DATABASE_URL or the local one)', parseUrlOption(['postgres', 'postgresql']))
    .option('--signers <n>', 'number of signers whose databases (<db>_signer_<id>) are migrated', parseIntegerOption(1, 255), 3)
    .addOption(new Option('--only <which>', 'migrate only the services\' database or only the signers\'').choices(['main', 'signer']))
    .option('--signer-database-url <url>', 'migrate only this one signer database (as a signer\'s init step does)', parseUrlOption(['postgres', 'postgresql']))
    .action(async (flags: MigrateFlags) => {
      await migrate(flags);
    });
}

export async function migrate(flags: MigrateFlags, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<void> {
  const databaseUrl = flags.databaseUrl ?? readCliEnvironment().databaseUrl;
  const targets = flags.signerDatabaseUrl
    ? { signerDatabaseUrls: [flags.signerDatabaseUrl] }
    : {
        mainDatabaseUrl: flags.only === 'signer' ? undefined : databaseUrl,
        signerDatabaseUrls:
          flags.only === 'main' ? [] : Array.from({ length: flags.signers }, (_, i) => signerDatabaseUrl(databaseUrl, i + 1)),
      };
  try {
    for (const report of await migrateAll(targets)) {
      const applied = report.owners.flatMap((o) => o.applied.map((name) => `${o.owner}:${name}`));
      print(`${report.database}${report.created ? ' (created)' : ''}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
    }
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) {
      throw new CliUsageError(`${error.message} (set DATABASE_URL or --database-url; now ${redactUrl(databaseUrl)})`);
    }
    throw error;
  }
}
