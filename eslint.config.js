// @ts-check
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-layers.js';

export default tseslint.config(
  { ignores: ['dist/', '.astro/', 'node_modules/', 'test-results/', 'playwright-report/', 'tmp-scratch/'] },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.recommended],
    plugins: { layers },
    rules: {
      'layers/imports-point-down': 'error',
      'layers/linux-floor': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/sim/**/*.ts', 'src/shell/**/*.ts', 'src/labs/**/*.ts', 'labs/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'Only the UI layer may touch the browser.' },
        { name: 'document', message: 'Only the UI layer may touch the browser.' },
        { name: 'localStorage', message: 'Only the UI layer may touch browser storage.' },
        { name: 'process', message: 'The core layers run in the browser too: no Node globals.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the seeded RNG (src/sim/rng.ts).' },
        { object: 'Date', property: 'now', message: 'Use the injected Clock (src/sim/clock.ts).' },
        { object: 'performance', property: 'now', message: 'Use the injected Clock (src/sim/clock.ts).' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use the injected Clock (src/sim/clock.ts).' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'The core layers run in the browser too: no Node modules.' }] }],
    },
  },
);
