import * as fs from 'node:fs';
import * as path from 'node:path';

function readVersion(from: string): string {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'custody' && pkg.version) return pkg.version;
    }
  }
  return 'unknown';
}

/** The running build's version, from the project's package.json. */
export const SERVICE_VERSION = readVersion(__dirname);
