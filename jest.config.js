// Jest runs TypeScript through SWC (no type checking here: `npm run build` does that first).
// @noble/* 2.x are ESM-only, so they are transformed to CommonJS like our own sources.
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  const from = '^' + alias.replace('/*', '/(.*)') + '$';
  moduleNameMapper[from] = '<rootDir>/' + target.replace('/*', '/$1');
}

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@noble/)'],
  moduleNameMapper,
};

module.exports = {
  // Jest reads testTimeout at the top level (a project's own is not applied): services start in seconds on a loaded machine.
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      // Services start in seconds on a loaded machine; a hook or test that waits on one gets 30 s.
      testTimeout: 30_000,
      testMatch: ['<rootDir>/libs/**/*.int-spec.ts', '<rootDir>/apps/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts', '<rootDir>/migrations/**/*.int-spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testTimeout: 30_000,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
