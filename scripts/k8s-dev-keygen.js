#!/usr/bin/env node
// Development clusters only (k8s/overlays/dev): fills ONE Secret with fresh random keys, and publishes
// the Ed25519 public key of one of them in ONE ConfigMap, through the Kubernetes API with this pod's
// own ServiceAccount (whose Role may get and patch just those two objects). Keys already in the Secret
// are kept: a key-encryption key that changed would leave every sealed share unreadable.
//
//   KEYGEN_SECRET     the Secret to fill, e.g. signer-1-keys
//   KEYGEN_CONFIGMAP  the ConfigMap that gets PUBLIC_KEY, e.g. signer-1-identity
//   KEYGEN_SEEDS      comma-separated keys of 32 random bytes (hex), e.g. SIGNER_IDENTITY_SEED,SIGNER_KEK
//   KEYGEN_PUBLISH    which of them is an Ed25519 seed whose public key is published
//   KEYGEN_COPY       comma-separated names of this process's variables copied into the Secret
//                     (connection strings), e.g. DATABASE_URL,REDIS_URL
//
// No secret value is ever printed: the output names keys, never values.
'use strict';
/* global Buffer */
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');

const ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
/** PKCS#8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function ed25519PublicKeyHex(seed) {
  const key = crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32).toString('hex');
}

function list(value) {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function required(env, name) {
  const value = env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function readPlan(env) {
  const plan = {
    secret: required(env, 'KEYGEN_SECRET'),
    configMap: required(env, 'KEYGEN_CONFIGMAP'),
    seeds: list(required(env, 'KEYGEN_SEEDS')),
    publish: required(env, 'KEYGEN_PUBLISH'),
    copy: list(env.KEYGEN_COPY),
  };
  if (!plan.seeds.includes(plan.publish)) throw new Error('KEYGEN_PUBLISH must be one of KEYGEN_SEEDS');
  for (const name of plan.copy) required(env, name);
  return plan;
}

/**
 * What to write, given the Secret's current data (base64 values): the missing seeds made fresh, the
 * copied variables, and the public key of the published seed. Pure apart from the random bytes.
 */
function keygenPatch(plan, currentData, env, random = crypto.randomBytes) {
  const data = {};
  const made = [];
  const seeds = {};
  for (const name of plan.seeds) {
    const existing = currentData?.[name] ? Buffer.from(Buffer.from(currentData[name], 'base64').toString('utf8').trim(), 'hex') : undefined;
    if (existing && existing.length === 32) {
      seeds[name] = existing;
      continue;
    }
    if (existing) throw new Error(`${plan.secret} has a ${name} that is not 32 bytes of hex; remove it by hand to make a new one`);
    seeds[name] = random(32);
    data[name] = Buffer.from(seeds[name].toString('hex')).toString('base64');
    made.push(name);
  }
  for (const name of plan.copy) {
    const value = Buffer.from(env[name]).toString('base64');
    if (currentData?.[name] !== value) data[name] = value;
  }
  return { data, made, publicKey: ed25519PublicKeyHex(seeds[plan.publish]) };
}

function api(method, path, body) {
  const host = required(process.env, 'KUBERNETES_SERVICE_HOST');
  const port = process.env.KUBERNETES_SERVICE_PORT || '443';
  const token = fs.readFileSync(`${ACCOUNT}/token`, 'utf8').trim();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host,
        port,
        path,
        method,
        ca: fs.readFileSync(`${ACCOUNT}/ca.crt`),
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(payload === undefined ? {} : { 'Content-Type': 'application/merge-patch+json', 'Content-Length': Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        const chunks = [];
        response.on('data', (c) => chunks.push(c));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((response.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: HTTP ${response.statusCode}`));
          else resolve(text ? JSON.parse(text) : {});
        });
      },
    );
    request.on('error', reject);
    if (payload !== undefined) request.write(payload);
    request.end();
  });
}

async function main() {
  const plan = readPlan(process.env);
  const namespace = fs.readFileSync(`${ACCOUNT}/namespace`, 'utf8').trim();
  const secretPath = `/api/v1/namespaces/${namespace}/secrets/${plan.secret}`;
  const current = await api('GET', secretPath);
  const patch = keygenPatch(plan, current.data, process.env);
  if (Object.keys(patch.data).length > 0) {
    // resourceVersion makes the patch fail (409) if another run wrote the Secret in between.
    await api('PATCH', secretPath, { metadata: { resourceVersion: current.metadata.resourceVersion }, data: patch.data });
  }
  await api('PATCH', `/api/v1/namespaces/${namespace}/configmaps/${plan.configMap}`, { data: { PUBLIC_KEY: patch.publicKey } });
  process.stdout.write(
    `keygen: ${plan.secret}: ${patch.made.length ? `made ${patch.made.join(', ')}` : 'keys already present, kept'}; ${plan.configMap}: PUBLIC_KEY published\n`,
  );
}

module.exports = { ed25519PublicKeyHex, keygenPatch, readPlan };

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`keygen: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
