// @ts-check
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The six domain subgraphs; `platform` is what they stand on, not a sibling. */
const SUBGRAPHS = ['product', 'pricing', 'inventory', 'cart', 'order', 'marketing'];

/** Nobody reaches into a package's build output: only its supported entry points are a contract. */
const noDistInternals = {
  regex: '(^|/)dist(/|$)',
  message: "A package's dist/ is its private build output; import from its supported entry point.",
};

/**
 * `no-restricted-imports` for a set of files. ESLint replaces (does not merge) a rule's options when a
 * later block sets it again, so each block states the whole list: the dist rule plus its own boundaries.
 */
const restrictImports = (...patterns) => ['error', { patterns: [noDistInternals, ...patterns] }];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.turbo/**',
      '**/.data/**',
      '**/coverage/**',
      // Written by `npm run codegen`; `npm run codegen:check` holds them, not the linter.
      '**/generated/**',
      '**/drizzle/**',
      'schema/.reports/**',
      // Sources that break the rules on purpose: the lint-boundaries test lints them and expects failures.
      '**/test/fixtures/lint/**',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked, importX.flatConfigs.recommended, importX.flatConfigs.typescript],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: {
      // Workspace packages resolve through node_modules and their `exports`; the root tsconfig is enough.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // STYLE rule 6: the environment is read in one `env.ts` per package; everything else is given settings.
      'no-process-env': 'error',
      'no-restricted-imports': restrictImports(),
      // Runtime cycles only: import-x skips `import type`, which TypeScript erases.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Another package is reached through its name and `exports`, never `../../other-package/src`.
      'import-x/no-relative-packages': 'error',
      // The house marks a deliberately unused binding with a leading underscore (`{ stack: _stack, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],

      // Noise here: resolvers, plugin hooks and data sources are `async` to satisfy a Promise-returning
      // interface, and many of them answer without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      // Noise here: graphql-js types `operation.operation` and `kind` as string enums whose values are the spec's
      // words; comparing them with 'mutation' or 'Field' is how graphql-js's own code reads.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // Noise here: the tests match aligned report columns, where literal spaces read better than `{2}`.
      'no-regex-spaces': 'off',
      // TypeScript already checks these (npm run typecheck); import-x repeating them costs time and
      // misreads `.ts` specifiers and type-only exports.
      'import-x/no-unresolved': 'off',
      'import-x/named': 'off',
      'import-x/namespace': 'off',
      'import-x/default': 'off',
      'import-x/no-named-as-default-member': 'off',
    },
  },
  {
    // Tests read GraphQL responses and errors as untyped JSON and assert on them; vitest's `expect` is the check.
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // A test keeps each step's result in one variable to show the flow, even when the last one goes unread.
      'no-useless-assignment': 'off',
    },
  },
  {
    // STYLE rule 6: the one reader of the environment in each package.
    files: ['**/env.ts'],
    rules: { 'no-process-env': 'off' },
  },
  {
    // Tests and benchmarks hand the environment on to the processes they start (npm start under pm2,
    // production commands, graph processes); the code they run still reads it only in env.ts.
    files: ['**/test/**', '**/bench/**'],
    ignores: ['**/test/fixtures/**'],
    rules: { 'no-process-env': 'off' },
  },
  {
    // STYLE rule 1: a subgraph never imports a sibling subgraph, the gateway or the registry;
    // data from elsewhere arrives through the graph. Its tests may boot siblings in process.
    files: SUBGRAPHS.map((name) => `subgraphs/${name}/src/**/*.ts`),
    rules: {
      'no-restricted-imports': restrictImports({
        regex: '^@ecom/(?!platform(/|$))',
        message: 'A subgraph imports only @ecom/platform; data from another subgraph arrives through the graph.',
      }),
    },
  },
  {
    files: SUBGRAPHS.map((name) => `subgraphs/${name}/test/**/*.ts`),
    rules: {
      'no-restricted-imports': restrictImports({
        regex: '^@ecom/gateway(/|$)',
        message: "A subgraph's tests compose subgraphs in process; the gateway is tested in gateway/.",
      }),
    },
  },
  {
    // STYLE rule 1: the platform is what subgraphs stand on, with no domain logic: it imports none of them.
    files: ['subgraphs/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports({
        regex: '^@ecom/(?!platform(/|$))',
        message: 'The platform imports no subgraph, gateway or registry code.',
      }),
    },
  },
  {
    // The gateway sees subgraphs only through the supergraph; its tests and bench may boot them in process.
    files: ['gateway/src/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports({
        regex: `^@ecom/(${SUBGRAPHS.join('|')})(/|$)`,
        message: 'The gateway reaches subgraphs over HTTP through the supergraph, not by import.',
      }),
    },
  },
  {
    // Tool configs outside every tsconfig: linted for syntax and boundaries, without type information.
    files: ['**/vitest.config.ts', 'codegen.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { projectService: false } },
    // codegen.ts is the workspace's codegen config at the root; it reads the registry's sources by path.
    rules: { 'import-x/no-relative-packages': 'off' },
  },
);
