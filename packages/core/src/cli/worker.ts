import fs from 'node:fs';
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker thread whose entry is the module `name` beside `dir` (pass __dirname).
 * Built, that is `name.js` in dist/, run as it is. Run from the TypeScript sources (the
 * tests, where SWC compiles each module as jest loads it, which a worker thread does not
 * share), it is `name.ts`: the thread then compiles the sources it loads with SWC too (a
 * development dependency) and reads the core package from its sources, as jest does.
 */
export function startWorker(dir: string, name: string, options: WorkerOptions = {}): Worker {
  const built = path.join(dir, `${name}.js`);
  if (fs.existsSync(built)) return new Worker(built, options);
  const source = path.join(dir, `${name}.ts`);
  if (!fs.existsSync(source)) throw new Error(`no worker entry ${built} or ${source}`);
  return new Worker(FROM_SOURCES, { ...options, eval: true, argv: [source] });
}

/** The thread's first script when it runs TypeScript sources: a resolve and a load hook, then the entry. */
const FROM_SOURCES = `
const { registerHooks, createRequire } = require('node:module');
const fs = require('node:fs');
const { fileURLToPath } = require('node:url');
const entry = process.argv[process.argv.length - 1];
const { transformSync } = createRequire(entry)('@swc/core');
const options = { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } };
registerHooks({
  resolve(specifier, context, next) {
    const c = { ...context, conditions: [...(context.conditions ?? []), 'omov-source'] };
    try {
      return next(specifier, c);
    } catch (e) {
      if (!specifier.startsWith('.')) throw e;
      return next(specifier + '.ts', c);
    }
  },
  load(url, context, next) {
    if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
    const filename = fileURLToPath(url);
    const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
    return { format: 'commonjs', source: code, shortCircuit: true };
  },
});
require(entry);
`;
