// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'libs/proto/src/generated/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bin/*.js', 'scripts/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // `x[i]!` documents that an index is in range; without noUncheckedIndexedAccess it is "unnecessary".
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use crypto.getRandomValues / randomBytes.' }],
    },
  },
  {
    // The console runs these in the browser (apps/console imports them): no Node globals.
    files: ['libs/sign-grant/src/**/*.ts', 'libs/chain-core/src/**/*.ts', 'libs/policy-core/src/**/*.ts', 'libs/transparency-log/src/**/*.ts', 'libs/crypto-kit/src/canonical*.ts', 'apps/console/src/**/*.ts', 'apps/console/src/**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { 'no-restricted-globals': ['error', { name: 'Buffer', message: 'The console runs this code in the browser: use Uint8Array and bytesToHex / hexToBytes.' }, { name: 'process', message: 'The console runs this code in the browser.' }] },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name='only']", message: 'no .only in committed tests' }],
    },
  },
);
