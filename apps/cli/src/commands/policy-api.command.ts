import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { AddressBookApi, approvalKeyFromSeed, ApprovalsApi, AuditApi, CustodyApiError, PoliciesApi, type AddressBookEntryResource, type ApprovalResource, type AuditRecordResource, type PolicyResource } from '@custody/client';
import { DEV_CLIENTS, loadDevApprover } from '@custody/local-cluster';
import { CliUsageError } from '../cli-error';
import { readCliEnvironment } from '../cli-config';
import { apiClientFor } from './client.command';

interface Flags {
  as: string;
  gateway?: string;
  secretsDir?: string;
  json?: boolean;
}

/** Columns of text, the first row the header. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (cell ?? '').padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function out(flags: Flags, value: unknown, render: () => string): void {
  process.stdout.write(flags.json ? JSON.stringify(value) + '\n' : render());
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

function readFileArg(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * The approval key of the development client signing (`custody up` keeps `<client id>.approver-seed`:
 * the client id is the approver id), or `--approval-seed FILE` (32 bytes hex).
 */
function approvalKey(flags: Flags & { approvalSeed?: string }, defaultSecretsDir: string) {
  if (flags.approvalSeed) {
    const text = readFileArg(flags.approvalSeed, 'approval seed').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new CliUsageError('--approval-seed must hold 32 bytes of hex');
    return approvalKeyFromSeed(Buffer.from(text, 'hex'));
  }
  const dir = flags.secretsDir ?? readCliEnvironment().secretsDir ?? defaultSecretsDir;
  try {
    return approvalKeyFromSeed(loadDevApprover(dir, `dev-${flags.as}`).seed);
  } catch (error) {
    throw new CliUsageError(`${error instanceof Error ? error.message : String(error)} (or give --approval-seed FILE)`);
  }
}

const policyRows = (ps: PolicyResource[]) => table(['POLICY', 'KIND', 'STATE', 'VERSION', 'QUORUM', 'APPROVED BY', 'HASH'], ps.map((p) => [p.name, p.kind, p.state, String(p.version || ''), p.kind === 'proposal' ? `${p.approvedBy.length}/${p.quorum} ${p.quorumState}` : '', p.approvedBy.join(','), p.contentHash.slice(0, 16)]));
const approvalRows = (as: ApprovalResource[]) =>
  table(['APPROVAL', 'OPERATION', 'INITIATOR', 'STATE', 'POLICY', 'DECIDED', 'EXPIRES'], as.map((a) => [a.name, a.operation, a.initiator, a.state, `v${a.policyVersion}`, a.decisions.map((d) => `${d.approver}:${d.decision}`).join(','), a.expireTime]));
const recordRows = (rs: AuditRecordResource[]) => table(['INDEX', 'TIME', 'TYPE', 'ACTOR', 'REQUEST', 'WALLET'], rs.map((r) => [r.index, r.occurTime, r.type, r.actor, r.requestId, r.wallet]));
const report = (flags: Flags, value: unknown) => out(flags, value, () => JSON.stringify(value, null, 2) + '\n');

/**
 * `custody policy …`, `custody address-book …`, `custody approvals|approve|reject`, `custody audit
 * list|show|checkpoint|export|bundle`: the policy, approval and audit API through the gateway
 * (libs/client), signing as a development client (`--as`); approvals and admin decisions are signed
 * with that client's approval key, never by the gateway.
 */
export function registerPolicyApiCommands(program: Command, defaultSecretsDir: string): void {
  const common = (c: Command, as: string): Command =>
    c
      .option('--as <name>', `development client to sign as: ${Object.keys(DEV_CLIENTS).join(', ')}`, as)
      .option('--gateway <url>', 'the gateway (default: http://127.0.0.1:$CUSTODY_BASE_PORT or 8080)')
      .option('--secrets-dir <dir>', 'where `custody up` keeps the development keys')
      .option('--json', 'print JSON instead of a table');
  const client = (flags: Flags) => apiClientFor(flags, defaultSecretsDir);
  const policies = (flags: Flags) => new PoliciesApi(client(flags));

  const policy = program.command('policy').description('Policies: propose, approve (admin quorum), activate, show, diff, lint, dry-run, replay');
  common(policy.command('propose <file>').description('propose a policy document (JSON or YAML)').option('--id <policyId>', 'the proposal id'), 'approver-1').action((file: string, f: Flags & { id?: string }) =>
    run(async () => {
      const p = await policies(f).propose(readFileArg(file, 'policy document'), f.id);
      out(f, p, () => policyRows([p]));
    }),
  );
  common(policy.command('approve <policyId>').description("approve (or --reject) a proposal with the admin's approval key").option('--reject', 'reject instead').option('--approval-seed <file>', 'the approval key seed (default: the development key of --as)'), 'approver-1').action(
    (id: string, f: Flags & { reject?: boolean; approvalSeed?: string }) =>
      run(async () => {
        const p = await policies(f).approve(id, approvalKey(f, defaultSecretsDir), f.reject ? 'reject' : 'approve');
        out(f, p, () => policyRows([p]));
      }),
  );
  common(policy.command('activate <policyId>').description('activate a proposal that has its quorum'), 'approver-1').action((id: string, f: Flags) =>
    run(async () => {
      const p = await policies(f).activate(id);
      out(f, p, () => policyRows([p]));
    }),
  );
  common(policy.command('show [policyId]').description('a version (v<n>, active: the default) or a proposal; `--document` prints its document').option('--document', 'print the document'), 'approver-1').action((id: string | undefined, f: Flags & { document?: boolean }) =>
    run(async () => {
      const p = await policies(f).get(id ?? 'active');
      if (f.document && !f.json) process.stdout.write(JSON.stringify(JSON.parse(p.document), null, 2) + '\n');
      else out(f, p, () => policyRows([p]));
    }),
  );
  common(policy.command('list').description('stored versions, newest first (--proposals: proposals)').option('--proposals', 'list proposals instead').option('--open', 'only open proposals'), 'approver-1').action((f: Flags & { proposals?: boolean; open?: boolean }) =>
    run(async () => {
      const all: PolicyResource[] = [];
      let token = '';
      do {
        const page = await policies(f).list(0, token, f.proposals || f.open ? { kind: 'proposal', ...(f.open ? { state: 'open' as const } : {}) } : {});
        all.push(...page.items);
        token = page.nextPageToken;
      } while (token !== '');
      out(f, all, () => policyRows(all));
    }),
  );
  common(policy.command('diff <policyId>').description('changes from --other (a version; default the base / active) to this policy').option('--other <version>', 'v<n> or active'), 'approver-1').action((id: string, f: Flags & { other?: string }) =>
    run(async () => report(f, await policies(f).diff(id, f.other))),
  );
  common(policy.command('lint <fileOrPolicyId>').description('lint a draft file, or a stored policy'), 'approver-1').action((target: string, f: Flags) =>
    run(async () => {
      const draft = fs.existsSync(target);
      const r = (await policies(f).lint(draft ? '-' : target, draft ? readFileArg(target, 'policy document') : undefined)) as { valid: boolean };
      report(f, r);
      if (!r.valid) process.exitCode = 1;
    }),
  );
  common(
    policy.command('dry-run <policyId>').description('evaluate a hypothetical request (JSON, custody.policy.v1.PolicyRequestInput) under a policy; nothing is stored').requiredOption('--request <jsonOrFile>', 'the request').option('--document <file>', 'a draft document (policyId -)'),
    'approver-1',
  ).action((id: string, f: Flags & { request: string; document?: string }) =>
    run(async () => {
      const text = fs.existsSync(f.request) ? readFileArg(f.request, 'request') : f.request;
      let request: Record<string, unknown>;
      try {
        request = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new CliUsageError('--request must be JSON or a file holding it');
      }
      report(f, await policies(f).dryRun(id, request, f.document ? readFileArg(f.document, 'policy document') : undefined));
    }),
  );
  common(
    policy
      .command('replay <policyId>')
      .description('replay stored requests under a policy; lists the verdicts that would change')
      .option('--from <time>', 'RFC 3339 (default 24 h before --to)')
      .option('--to <time>', 'RFC 3339 (default now)')
      .option('--limit <n>', 'most requests replayed')
      .option('--document <file>', 'a draft document (policyId -)'),
    'approver-1',
  ).action((id: string, f: Flags & { from?: string; to?: string; limit?: string; document?: string }) =>
    run(async () => {
      if (f.limit !== undefined && !/^\d{1,5}$/.test(f.limit)) throw new CliUsageError('--limit must be 0..10000');
      report(f, await policies(f).replay(id, { ...(f.from ? { startTime: f.from } : {}), ...(f.to ? { endTime: f.to } : {}), ...(f.limit ? { limit: Number(f.limit) } : {}), ...(f.document ? { document: readFileArg(f.document, 'policy document') } : {}) }));
    }),
  );

  const book = program.command('address-book').description('The address book; every change goes through policy');
  common(
    book.command('add').description('add or change an entry').requiredOption('--label <label>', 'a label').requiredOption('--chain <chainId>', 'EVM chain id').requiredOption('--address <address>', 'the address').option('--id <entryId>', 'the entry id').option('--tag <tag>', 'a tag (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]),
    'compliance-admin',
  ).action((f: Flags & { label: string; chain: string; address: string; id?: string; tag: string[] }) =>
    run(async () => {
      const e = await new AddressBookApi(client(f)).create({ label: f.label, chain: f.chain, address: f.address, tags: f.tag, ...(f.id ? { entryId: f.id } : {}) });
      out(f, e, () => table(['ENTRY', 'STATE', 'CHAIN', 'ADDRESS', 'REQUEST'], [[e.name, e.state, e.chain, e.address, e.request]]));
    }),
  );
  common(book.command('list').description('live entries').option('--tag <tag>', 'only with this tag').option('--chain <chainId>', 'only on this chain'), 'compliance-admin').action((f: Flags & { tag?: string; chain?: string }) =>
    run(async () => {
      const api = new AddressBookApi(client(f));
      const all: AddressBookEntryResource[] = [];
      let token = '';
      do {
        const page = await api.list(0, token, { ...(f.tag ? { tag: f.tag } : {}), ...(f.chain ? { chain: f.chain } : {}) });
        all.push(...page.items);
        token = page.nextPageToken;
      } while (token !== '');
      out(f, all, () => table(['ENTRY', 'LABEL', 'CHAIN', 'ADDRESS', 'TAGS'], all.map((e) => [e.name, e.label, e.chain, e.address, e.tags.join(',')])));
    }),
  );
  common(book.command('delete <entryId>').description('delete an entry'), 'compliance-admin').action((id: string, f: Flags) =>
    run(async () => {
      const r = await new AddressBookApi(client(f)).delete(id);
      out(f, r, () => table(['STATE', 'REQUEST'], [[r.state, r.request]]));
    }),
  );

  common(program.command('approvals').description('requests waiting for me (the approver signing as --as)'), 'approver-1').action((f: Flags) =>
    run(async () => {
      const all: ApprovalResource[] = [];
      for await (const a of new ApprovalsApi(client(f)).all()) all.push(a);
      out(f, all, () => approvalRows(all));
    }),
  );
  for (const decision of ['approve', 'reject'] as const) {
    common(
      program
        .command(`${decision} <approvalId>`)
        .description(`${decision} a request waiting for me, signed with my approval key`)
        .option('--reason <text>', 'why')
        .option('--approval-seed <file>', 'the approval key seed (default: the development key of --as)'),
      'approver-1',
    ).action((id: string, f: Flags & { reason?: string; approvalSeed?: string }) =>
      run(async () => {
        const api = new ApprovalsApi(client(f));
        const name = id.startsWith('approvals/') ? id : `approvals/${id}`;
        let target: ApprovalResource | undefined;
        for await (const a of api.all()) if (a.name === name) target = a;
        if (!target) throw new CliUsageError(`${name} is not waiting for ${f.as} (see \`custody approvals --as ${f.as}\`)`);
        const a = await api.decide(target, decision, approvalKey(f, defaultSecretsDir), f.reason ?? '');
        out(f, a, () => approvalRows([a]));
      }),
    );
  }

  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('The tamper-evident audit log');
  const auditApi = (f: Flags) => new AuditApi(client(f));
  common(
    audit
      .command('list')
      .description("records of the running cluster's audit log (role auditor)")
      .option('--type <type>', 'record type')
      .option('--wallet <id>', 'wallet')
      .option('--client <id>', 'acting client')
      .option('--request-id <id>', 'request id')
      .option('--from <time>', 'RFC 3339, inclusive')
      .option('--to <time>', 'RFC 3339, exclusive')
      .option('--limit <n>', 'at most this many (default 100)'),
    'auditor',
  ).action((f: Flags & { type?: string; wallet?: string; client?: string; requestId?: string; from?: string; to?: string; limit?: string }) =>
    run(async () => {
      if (f.limit !== undefined && !/^\d{1,6}$/.test(f.limit)) throw new CliUsageError('--limit must be a number');
      const limit = f.limit === undefined ? 100 : Number(f.limit);
      const filter = { type: f.type, wallet: f.wallet, client: f.client, requestId: f.requestId, startTime: f.from, endTime: f.to };
      const all: AuditRecordResource[] = [];
      let token = '';
      do {
        const page = await auditApi(f).list(filter, Math.min(100, limit - all.length), token);
        all.push(...page.items);
        token = page.nextPageToken;
      } while (token !== '' && all.length < limit);
      out(f, all, () => recordRows(all));
    }),
  );
  common(audit.command('show <index>').description('one record with its inclusion proof'), 'auditor').action((index: string, f: Flags) =>
    run(async () => {
      const r = await auditApi(f).get(index);
      out(f, r, () => recordRows([r.record]) + `body: ${r.record.body}\nleaf hash: ${r.record.leafHash}\n` + (r.tlogProof ? `in checkpoint of size ${r.checkpoint.size}\n\n${r.tlogProof}` : 'not in a checkpoint yet\n'));
    }),
  );
  common(audit.command('checkpoint').description('the latest cosigned checkpoint'), 'auditor').action((f: Flags) =>
    run(async () => {
      const cp = await auditApi(f).checkpoint();
      out(f, cp, () => cp.note);
    }),
  );
  common(audit.command('export').description('download the export `custody audit verify` checks').option('--size <n>', 'the checkpoint size (default the latest)').option('--out <file>', 'write it here (default stdout)'), 'auditor').action((f: Flags & { size?: string; out?: string }) =>
    run(async () => {
      if (f.size !== undefined && !/^\d{1,15}$/.test(f.size)) throw new CliUsageError('--size must be a tree size');
      const content = await auditApi(f).export(f.size === undefined ? 0 : Number(f.size));
      if (f.out) {
        fs.writeFileSync(f.out, content);
        process.stderr.write(`custody: wrote ${f.out}\n`);
      } else process.stdout.write(content);
    }),
  );
  common(audit.command('bundle <subject>').description('proof bundles (C2SP tlog-proof) of withdrawals/{id}, policies/{id}, requests/{id} or auditRecords/{index}').option('--out <dir>', 'write one <index>.tlog-proof file each'), 'auditor').action((subject: string, f: Flags & { out?: string }) =>
    run(async () => {
      const b = await auditApi(f).bundle(subject);
      if (f.out) {
        fs.mkdirSync(f.out, { recursive: true });
        for (const p of b.proofs) fs.writeFileSync(path.join(f.out, `${p.record.index}.tlog-proof`), p.tlogProof);
      }
      out(f, b, () => recordRows(b.proofs.map((p) => p.record)) + (f.out ? `wrote ${b.proofs.length} bundle(s) to ${f.out}\n` : ''));
    }),
  );
}
