// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The import layering of STYLE.md, enforced: shared/ is pure (no Node, DOM, Electron, React,
 * native modules); the renderer never reaches into electron/; the preload sees only shared/ and
 * Electron's renderer-side modules; the main process never imports the renderer.
 */
const nodeOnly = ['better-sqlite3', 'sharp', 'exifr', '@google/genai', 'playwright-core', 'electron-builder', '@tensorflow/*'];
const domOnly = ['react', 'react-dom', 'react-dom/*', 'react-konva', 'konva', '@tanstack/*'];

const layer = (paths, patterns) => ({ paths: paths.map((name) => ({ name, message: 'Not allowed in this layer (see STYLE.md).' })), patterns });

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', layer(['electron', ...nodeOnly, ...domOnly], [
        { group: ['node:*'], message: 'shared/ is pure TypeScript: no Node modules.' },
        { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ imports nothing from electron/ or renderer/.' },
      ])],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', layer(['electron', ...nodeOnly], [
        { group: ['node:*'], message: 'The renderer runs in a sandbox: no Node modules.' },
        { group: ['**/electron/**'], message: 'The renderer talks to the main process only through the contract in shared/.' },
      ])],
    },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', layer([...nodeOnly, ...domOnly], [
        { group: ['node:*'], message: 'A sandboxed preload cannot use Node modules.' },
        { group: ['**/services/**', '**/main/**', '**/hosts/**', '**/renderer/**'], message: 'The preload imports only shared/ and electron.' },
      ])],
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/hosts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', layer(['electron', ...domOnly], [
        { group: ['**/renderer/**', '**/main/**'], message: 'Services and hosts run without Electron; they never import it or the renderer.' },
      ])],
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', layer(domOnly, [
        { group: ['**/renderer/**'], message: 'The main process never imports the renderer.' },
      ])],
    },
  },
);
