#!/usr/bin/env node
'use strict';
/*
 * The pages' scripts that run omov's core in the browser (the trustee page, the verifiable voting page: browser/*.ts),
 * bundled with esbuild into dist/assets/, which the server serves as /assets/app/. One file
 * per page, minified, no CDN and nothing loaded from elsewhere. Part of `npm run build`;
 * the browser tests run it too when the bundle is older than its sources.
 */
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const ENTRIES = ['trustee', 'verifiable-vote', 'credential-authority'];

async function bundle() {
  await esbuild.build({
    entryPoints: ENTRIES.map((name) => path.join(root, 'browser', `${name}.ts`)),
    outdir: path.join(root, 'dist', 'assets'),
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    // BigInt, which the group arithmetic needs, is in every browser since 2020.
    target: ['es2020'],
    // The core's TypeScript sources, as the tests read them (its package's "omov-source" export).
    conditions: ['omov-source'],
    tsconfig: path.join(root, 'browser', 'tsconfig.json'),
    legalComments: 'eof',
    logLevel: 'warning',
  });
}

module.exports = { bundle };
if (require.main === module)
  bundle().catch((err) => {
    console.error(err);
    process.exit(1);
  });
