import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProjectManifest {
  readonly root: string;
  readonly version: string;
}

function findProject(from: string): ProjectManifest {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'custody') return { root: dir, version: pkg.version ?? 'unknown' };
    }
  }
  throw new Error(`the custody package.json was not found above ${from}`);
}

const project = findProject(__dirname);

/** The project's root folder (where package.json is), from sources, from dist/ or in the image. */
export const PROJECT_ROOT = project.root;
/** The running build's version (package.json). */
export const PROJECT_VERSION = project.version;
