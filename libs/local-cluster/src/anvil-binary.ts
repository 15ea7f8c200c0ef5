import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * anvil (foundry's local EVM node) as npm ships it: the wrapper package `@foundry-rs/anvil` lists one
 * platform package per OS and architecture, each holding the binary. We resolve the platform package
 * ourselves (pinned in package.json), so the wrapper's postinstall need not have run. `custody up` runs
 * this binary as the local chain; libs/testing starts it for tests.
 */
const PLATFORM_PACKAGES: Readonly<Record<string, string>> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** The path of the anvil binary of this platform's package; throws naming the package when it is not installed. */
export function anvilBinary(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const key = `${platform}-${arch}`;
  const pkg = PLATFORM_PACKAGES[key];
  if (!pkg) throw new Error(`anvil: no @foundry-rs platform package for ${key}`);
  let manifest: string;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(`anvil: ${pkg} is not installed (npm install --save-dev --save-exact ${pkg})`);
  }
  const binary = path.join(path.dirname(manifest), 'bin', platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!fs.existsSync(binary)) throw new Error(`anvil: ${binary} is missing from ${pkg}`);
  return binary;
}
