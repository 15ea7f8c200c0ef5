import * as fs from 'node:fs';
import * as path from 'node:path';

/** nest-cli.json describes the monorepo as it is: every app and lib a project, every path it names present. */
const ROOT = path.join(__dirname, '..', '..');

interface Project {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile: string;
  compilerOptions?: { tsConfigPath?: string };
}
interface NestCli {
  monorepo: boolean;
  root: string;
  sourceRoot: string;
  compilerOptions?: { tsConfigPath?: string };
  projects: Record<string, Project>;
}

const cli = JSON.parse(fs.readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8')) as NestCli;
const dirs = (parent: string): string[] =>
  fs
    .readdirSync(path.join(ROOT, parent), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };

describe('nest-cli.json', () => {
  it('is a monorepo whose default project is one of its applications', () => {
    expect(cli.monorepo).toBe(true);
    const byRoot = Object.values(cli.projects).find((p) => p.root === cli.root);
    expect(byRoot?.type).toBe('application');
    expect(cli.sourceRoot).toBe(byRoot?.sourceRoot);
  });

  // A web app (apps/console: React, built by Vite into dist/console) is not a Nest project.
  const nestApps = dirs('apps').filter((name) => !fs.existsSync(path.join(ROOT, 'apps', name, 'vite.config.mts')));

  it('has a project for every app (application) and every lib (library), and no other', () => {
    expect(nestApps).not.toContain('console');
    const expected = [...nestApps.map((name) => `${name}:application:apps/${name}`), ...dirs('libs').map((name) => `${name}:library:libs/${name}`)].sort();
    expect(Object.entries(cli.projects).map(([name, p]) => `${name}:${p.type}:${p.root}`).sort()).toEqual(expected);
  });

  it.each(Object.entries(cli.projects))('project %s: root, sourceRoot, entry file and tsconfig exist', (name, p) => {
    expect(fs.statSync(path.join(ROOT, p.root)).isDirectory()).toBe(true);
    expect(p.sourceRoot.startsWith(`${p.root}/`)).toBe(true);
    expect(fs.statSync(path.join(ROOT, p.sourceRoot)).isDirectory()).toBe(true);
    expect(fs.existsSync(path.join(ROOT, p.sourceRoot, `${p.entryFile}.ts`))).toBe(true);
    const tsConfigPath = p.compilerOptions?.tsConfigPath ?? cli.compilerOptions?.tsConfigPath;
    expect(tsConfigPath).toBeDefined();
    expect(fs.existsSync(path.join(ROOT, tsConfigPath!))).toBe(true);
    if (p.type === 'library') {
      // The library's entry is what its @custody/<name> import resolves to.
      expect(tsconfig.compilerOptions.paths[`@custody/${name}`]).toEqual([`${p.sourceRoot}/${p.entryFile}.ts`]);
    }
  });
});
