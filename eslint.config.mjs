// @ts-check
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Type dimension: what a kind of project may build on. */
const typeRules = {
  'type:app': ['type:feature', 'type:data-access', 'type:domain', 'type:contracts', 'type:util'],
  'type:feature': ['type:feature', 'type:data-access', 'type:domain', 'type:contracts', 'type:util'],
  'type:data-access': ['type:data-access', 'type:domain', 'type:contracts', 'type:util'],
  'type:domain': ['type:domain', 'type:contracts', 'type:util'],
  'type:contracts': ['type:contracts', 'type:util'],
  'type:util': ['type:util'],
  'type:testing': ['type:testing', 'type:feature', 'type:data-access', 'type:domain', 'type:contracts', 'type:util'],
};

/** Scope dimension: a service builds on its own libraries and the shared ones, never another service's. */
const services = ['index', 'upload', 'auth', 'audit'];
const scopeRules = {
  ...Object.fromEntries(services.map((scope) => [`scope:${scope}`, [`scope:${scope}`, 'scope:shared']])),
  'scope:shared': ['scope:shared'],
  // The embedded registry (and the end-to-end suites) compose every service in one process.
  'scope:embedded': ['scope:embedded', 'scope:shared', ...services.map((scope) => `scope:${scope}`)],
};

/** The domain core stays plain TypeScript: no framework, driver or telemetry imports. */
const bannedInDomain = ['@nestjs/*', 'pg', 'pg-*', 'kafkajs', 'minio', 'ldapts', '@electric-sql/*', '@opentelemetry/*', 'fastify', 'express'];

/**
 * The boundary matrix. Spec files may also use the shared test kit (contract suites, env helpers);
 * production code never may.
 */
function boundaries({ specs }) {
  const withTesting = (tags) => (specs ? [...tags, 'type:testing'] : tags);
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        ...Object.entries(typeRules).map(([sourceTag, tags]) => ({
          sourceTag,
          onlyDependOnLibsWithTags: withTesting(tags),
          ...(sourceTag === 'type:domain' ? { bannedExternalImports: bannedInDomain } : {}),
        })),
        ...Object.entries(scopeRules).map(([sourceTag, onlyDependOnLibsWithTags]) => ({ sourceTag, onlyDependOnLibsWithTags })),
      ],
    },
  ];
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.nx/**', 'bench/out/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
      },
    },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ specs: false }),
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'suite', 'test'] }] },
      ],
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.contract.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ specs: true }) },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: Object.fromEntries(['process', 'console', 'URL', 'fetch', 'FormData', 'Blob', 'Buffer', 'setTimeout', 'clearTimeout'].map((name) => [name, 'readonly'])),
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-console': 'off' },
  },
);
