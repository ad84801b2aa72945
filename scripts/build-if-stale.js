#!/usr/bin/env node
'use strict';
/*
 * `npm run omov`, `npm start` and the benchmarks build first, but only when the built files
 * are older than their sources: a full build takes half a minute on a busy machine, and an
 * auditor running `npm run omov -- verify` twice should not wait twice.
 *
 * Stale means: no stamp (dist/.build-stamp), a compiled entry point missing, or any file or
 * folder under the sources changed after the stamp (a folder's time changes when a file in
 * it is added, renamed or removed). The stamp takes the time the build started, so an edit
 * made during a build is built next time. `--check` only says whether a build is due (exit
 * status 1 if so); `--stamp` (npm's postbuild) records that `npm run build` has just
 * succeeded; `OMOV_BUILD=always` builds regardless.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const STAMP = path.join(root, 'dist', '.build-stamp');
const SOURCES = [
  'src',
  'browser',
  'db',
  'bench',
  'packages/core/src',
  'tsconfig.base.json',
  'tsconfig.build.json',
  'packages/core/tsconfig.json',
  'package.json',
  'packages/core/package.json',
  'package-lock.json',
];
const OUTPUTS = ['dist/src/cli/main.js', 'packages/core/dist/record/verify.js', 'dist/assets/trustee.js'];

/** The latest change time under a path (files and folders), or 0 if it is absent. */
function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  // Whole milliseconds, as the stamp's time is set: a file written in the build's first millisecond is built.
  let latest = Math.floor(st.mtimeMs);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(p)) latest = Math.max(latest, newest(path.join(p, name)));
  }
  return latest;
}

/** Why a build is due, or null when the built files are up to date. */
function staleness() {
  if (process.env.OMOV_BUILD === 'always') return 'OMOV_BUILD=always';
  let stamp;
  try {
    stamp = fs.statSync(STAMP).mtimeMs;
  } catch {
    return 'never built here';
  }
  const missing = OUTPUTS.find((o) => !fs.existsSync(path.join(root, o)));
  if (missing) return `${missing} is missing`;
  const changed = SOURCES.find((s) => newest(path.join(root, s)) > stamp);
  return changed ? `${changed} changed since the last build` : null;
}

function stamp(time, why) {
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  fs.writeFileSync(STAMP, `built because ${why}\n`);
  fs.utimesSync(STAMP, time, time);
}

if (process.argv.includes('--stamp')) {
  stamp(new Date(), 'npm run build');
  process.exit(0);
}
const why = staleness();
if (process.argv.includes('--check')) {
  process.stdout.write(why ? `build due: ${why}\n` : 'built files are up to date\n');
  process.exit(why ? 1 : 0);
}
if (why) {
  const started = new Date();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  stamp(started, why);
}
