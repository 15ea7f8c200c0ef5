import { Command } from 'commander';
import { CustodyApiError, type AddressResource, type BalanceResource, type MessageResource, type WalletResource } from '@custody/client';
import { DEV_CLIENTS } from '@custody/local-cluster';
import { CliUsageError } from '../cli-error';
import { apiClientFor } from './client.command';

interface Flags {
  as: string;
  gateway?: string;
  secretsDir?: string;
  json?: boolean;
}

/** A plain text table: a header row and aligned columns. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (cell ?? '').padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

const shortKey = (hex: string): string => (hex.length > 20 ? `${hex.slice(0, 10)}…${hex.slice(-8)}` : hex);

export const walletRows = (ws: readonly WalletResource[]): string[][] => ws.map((w) => [w.name, w.displayName, w.scheme, w.custody, `${w.threshold}-of-${w.participants.length}`, shortKey(w.publicKey), w.createTime]);
export const addressRows = (as: readonly AddressResource[]): string[][] => as.map((a) => [a.name, a.chain, a.derivationPath, a.address]);
export const balanceRows = (bs: readonly BalanceResource[]): string[][] => bs.map((b) => [b.chain, b.asset, b.available, b.held, b.posted, b.pending]);
export const messageRows = (ms: readonly MessageResource[]): string[][] => ms.map((m) => [m.name, m.state, m.scheme, m.hash, m.signature === '' ? m.reason : shortKey(m.signature)]);

function print(flags: Flags, value: unknown, header: readonly string[], rows: string[][]): void {
  process.stdout.write(flags.json ? JSON.stringify(value) + '\n' : renderTable(header, rows));
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CustodyApiError) {
      process.stderr.write(`custody: ${error.status} ${error.code}: ${error.detail}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

const WALLET_HEADER = ['WALLET', 'NAME', 'SCHEME', 'CUSTODY', 'THRESHOLD', 'PUBLIC KEY', 'CREATED'];
const ADDRESS_HEADER = ['ADDRESS', 'CHAIN', 'PATH', 'ON-CHAIN ADDRESS'];
const BALANCE_HEADER = ['CHAIN', 'ASSET', 'AVAILABLE', 'HELD', 'POSTED', 'PENDING'];
const MESSAGE_HEADER = ['MESSAGE', 'STATE', 'SCHEME', 'HASH', 'SIGNATURE / REASON'];

/**
 * `custody wallet create|list|get`, `custody address new|list`, `custody balance`,
 * `custody sign-message`: the public API through libs/client, as a development client (`--as`).
 */
export function registerWalletCommands(program: Command, defaultSecretsDir: string): void {
  const common = (c: Command, as = 'operator'): Command =>
    c
      .option('--as <name>', `development client to sign as: ${Object.keys(DEV_CLIENTS).join(', ')}`, as)
      .option('--gateway <url>', 'the gateway (default: http://127.0.0.1:$CUSTODY_BASE_PORT or 8080)')
      .option('--secrets-dir <dir>', 'where `custody up` keeps the development keys')
      .option('--json', 'print JSON instead of a table');
  const api = (flags: Flags) => apiClientFor(flags, defaultSecretsDir);

  const wallet = program.command('wallet').description('wallets of the running cluster (a keygen in the signers), through the gateway');
  common(wallet.command('create').description('create a wallet').option('--name <displayName>', 'display name', '').option('--scheme <scheme>', 'ecdsa-secp256k1 or eddsa-ed25519', 'ecdsa-secp256k1').option('--cold', 'a cold wallet (every withdrawal needs the cold approval group)')).action(
    (flags: Flags & { name: string; scheme: string; cold?: boolean }) =>
      run(async () => {
        const w = await api(flags).createWallet({ displayName: flags.name, scheme: flags.scheme, custody: flags.cold ? 'cold' : 'hot' });
        print(flags, w, WALLET_HEADER, walletRows([w]));
      }),
  );
  common(wallet.command('list').description('list every wallet')).action((flags: Flags) =>
    run(async () => {
      const all: WalletResource[] = [];
      for await (const w of api(flags).allWallets()) all.push(w);
      print(flags, all, WALLET_HEADER, walletRows(all));
    }),
  );
  common(wallet.command('get <wallet>').description('show one wallet (wallets/<id> or <id>)')).action((id: string, flags: Flags) =>
    run(async () => {
      const w = await api(flags).getWallet(id);
      print(flags, w, WALLET_HEADER, walletRows([w]));
    }),
  );

  const address = program.command('address').description('deposit addresses of a wallet, through the gateway');
  common(address.command('new <wallet>').description("derive the wallet's next deposit address").option('--chain <chain>', 'ethereum, sepolia or anvil', 'anvil')).action((id: string, flags: Flags & { chain: string }) =>
    run(async () => {
      const a = await api(flags).createAddress(id, flags.chain);
      print(flags, a, ADDRESS_HEADER, addressRows([a]));
    }),
  );
  common(address.command('list <wallet>').description("list the wallet's deposit addresses")).action((id: string, flags: Flags) =>
    run(async () => {
      const client = api(flags);
      const all: AddressResource[] = [];
      let token = '';
      do {
        const page = await client.listAddresses(id, 100, token);
        all.push(...page.items);
        token = page.nextPageToken;
      } while (token !== '');
      print(flags, all, ADDRESS_HEADER, addressRows(all));
    }),
  );

  common(program.command('balance <wallet>').description("a wallet's balances per asset, from the ledger (smallest units)")).action((id: string, flags: Flags) =>
    run(async () => {
      const client = api(flags);
      const all: BalanceResource[] = [];
      let token = '';
      do {
        const page = await client.listBalances(id, 100, token);
        all.push(...page.items);
        token = page.nextPageToken;
      } while (token !== '');
      print(flags, all, BALANCE_HEADER, balanceRows(all));
    }),
  );

  common(
    program
      .command('sign-message <wallet> <message>')
      .description('sign a raw message under policy (the message as hex, or text with --text)')
      .option('--text', 'the message is UTF-8 text, not hex')
      .option('--hash <hash>', 'ECDSA: keccak256 (default), sha256 or none'),
  ).action((id: string, message: string, flags: Flags & { text?: boolean; hash?: string }) =>
    run(async () => {
      const hex = flags.text ? Buffer.from(message, 'utf8').toString('hex') : message;
      if (!flags.text && !/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new CliUsageError('the message must be hex (or give --text)');
      const m = await api(flags).createMessage({ wallet: id, message: hex, ...(flags.hash ? { hash: flags.hash } : {}) });
      print(flags, m, MESSAGE_HEADER, messageRows([m]));
    }),
  );
}
