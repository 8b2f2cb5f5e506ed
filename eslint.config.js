// ESLint flat config. `npm run lint` runs this and `prettier --check`; formatting is
// Prettier's job alone (eslint-config-prettier turns off every rule it would fight).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['dist/', 'coverage/', 'node_modules/', 'src/generated/'],
  },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // tsconfig.json covers src, tools, test, scripts and bench.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      // Each unawaited promise is a decision: await it, or mark it `void` with the reason.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Off: fastify handlers (`async () => ({ status: 'ok' })`) and fakes of promise-returning
      // interfaces are async without awaiting; what matters (a promise nobody handles) is
      // caught by no-floating-promises and no-misused-promises.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Type-only imports stay type-only (tsconfig has verbatimModuleSyntax).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // The allowed arrows: tools/, bench/ and test/ may import src/, never the
      // reverse; src/core is pure. Import cycles, type-only imports included, are checked by
      // madge (`npm run lint:cycles`): import-x/no-cycle skips type-only imports.
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src',
              from: ['./tools', './bench', './test', './scripts'],
              message: 'The service never imports development tools, benchmarks or tests: they do not ship in dist/ or the image.',
            },
            {
              target: './src/core',
              from: './src',
              except: ['./core', './generated'],
              message: 'src/core is pure: it imports only src/core and src/generated.',
            },
            {
              target: ['./src/app.ts', './src/hooks', './src/sync', './src/github'],
              from: ['./src/kube', './src/runner', './src/receiver'],
              message: 'The hook service holds no Kubernetes credentials: it never imports the Kubernetes client, the runner or the receiver.',
            },
            {
              target: './src/runner',
              from: './src/receiver',
              message: 'The runner and the receiver share src/kube and src/core, never each other.',
            },
            {
              target: './src/receiver',
              from: ['./src/runner', './src/github', './src/sync', './src/hooks'],
              message: 'The receiver never calls GitHub and shares only src/kube and src/core with the runner.',
            },
            {
              target: './src/kube',
              from: './src',
              except: ['./kube', './generated'],
              message: 'src/kube is the Kubernetes client alone: it imports only src/kube and src/generated.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Relative imports are policed by import-x/no-restricted-paths above.
              regex: '^(?!\\.{1,2}/|node:crypto$)',
              message: 'src/core is pure: no packages and no Node built-ins other than node:crypto (gate names are hashed).',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read untyped JSON (HTTP response bodies, kubectl output, GitHub payloads) and assert
    // it with exact expected values; typing every such access would add casts, not safety.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (jest configs, this file, scripts/*.cjs): no type information.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  prettier,
);
