import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The folder a file lives in says which process runs it; these rules keep imports honest:
// renderer -> shared; server -> shared; main -> server, shared; preload -> electron, shared types.
const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

const electronAndNode = [
  { group: ['electron', 'electron/*'], message: 'Only src/main and src/preload may import electron.' },
  {
    group: ['node:*', 'better-sqlite3', 'express', 'ioredis', 'bullmq', 'pino', 'pino-*'],
    message: 'The renderer runs in a browser sandbox: no Node modules.',
  },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'data/**', 'test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict([
      ...electronAndNode,
      { group: ['**/server/**', '**/main/**', '**/preload/**'], message: 'The renderer talks to the station over HTTP only; import from src/shared.' },
      {
        group: ['**/api/client'],
        importNames: ['api', 'request'],
        message: 'Call the station with call(route, ...) and a declaration from src/shared/api, so the call is typed and checked.',
      },
    ]),
  },
  {
    files: ['src/server/**'],
    rules: restrict([
      { group: ['electron', 'electron/*'], message: 'The station runs headless too: never import electron.' },
      { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/server may import only src/shared.' },
    ]),
  },
  {
    files: ['src/shared/**'],
    rules: restrict([
      ...electronAndNode,
      { group: ['**/server/**', '**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared depends on nothing of ours.' },
    ]),
  },
  {
    files: ['src/main/**'],
    rules: restrict([
      {
        group: ['**/server/**', '**/renderer/**', '**/preload/**'],
        message:
          'src/main imports src/shared only: the station runs in its own process (out/main/station-process.js) and is spoken to by messages (src/shared/station-protocol.ts).',
      },
    ]),
  },
  {
    files: ['src/preload/**'],
    rules: restrict([{ group: ['**/server/**', '**/main/**', '**/renderer/**'], message: 'The preload may import electron and src/shared types only.' }]),
  },
);
