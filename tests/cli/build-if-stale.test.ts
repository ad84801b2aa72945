import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm run omov` (and `npm start`, the benchmarks) build only when the built files are older
 * than their sources: scripts/build-if-stale.js. Run here in a small project of its own whose
 * "build" writes the same entry points and counts its runs, so the test does not compile omov
 * (half a minute) nor touch this repository's files.
 */

let dir: string;
const builds = () => fs.readFileSync(path.join(dir, 'builds.txt'), 'utf8').trim().split('\n').filter(Boolean).length;
const mtime = (p: string) => fs.statSync(path.join(dir, p)).mtimeMs;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(dir, 'scripts/build-if-stale.js'), ...args], { cwd: dir, encoding: 'utf8' });
/** A source touched: after the last build, which took longer than a file time's resolution. */
const touch = (p: string) => fs.utimesSync(path.join(dir, p), new Date(), new Date());

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-build-'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.copyFileSync(
    path.resolve(__dirname, '../../scripts/build-if-stale.js'),
    path.join(dir, 'scripts/build-if-stale.js'),
  );
  const build = [
    "const fs = require('fs');",
    "for (const f of ['dist/src/cli/main.js', 'packages/core/dist/record/verify.js', 'dist/assets/trustee.js']) {",
    "  fs.mkdirSync(require('path').dirname(f), { recursive: true }); fs.writeFileSync(f, '// built');",
    '}',
    "fs.appendFileSync('builds.txt', 'built\\n');",
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'build.js'), build);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'stale-check',
      private: true,
      scripts: { build: 'node build.js', postbuild: 'node scripts/build-if-stale.js --stamp' },
    }),
  );
  for (const d of ['src/cli', 'db', 'bench', 'packages/core/src']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src/cli/main.ts'), 'export {};');
  fs.writeFileSync(path.join(dir, 'builds.txt'), '');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('builds when never built, then not again while the sources are unchanged', () => {
  expect(run('--check').status).toBe(1);
  expect(run().status).toBe(0);
  expect(builds()).toBe(1);
  const built = mtime('dist/src/cli/main.js');
  const second = run('--check');
  expect([second.status, second.stdout]).toEqual([0, 'built files are up to date\n']);
  expect(run().status).toBe(0);
  expect(builds()).toBe(1);
  expect(mtime('dist/src/cli/main.js')).toBe(built);
});

test('a changed source, a removed file or a missing output builds again', () => {
  const before = builds();
  touch('src/cli/main.ts');
  expect(run('--check').stdout).toBe('build due: src changed since the last build\n');
  run();
  expect(builds()).toBe(before + 1);
  // A removed file changes its folder.
  fs.writeFileSync(path.join(dir, 'packages/core/src/gone.ts'), 'export {};');
  run();
  fs.rmSync(path.join(dir, 'packages/core/src/gone.ts'));
  run();
  expect(builds()).toBe(before + 3);
  fs.rmSync(path.join(dir, 'dist/src/cli/main.js'));
  expect(run('--check').stdout).toBe('build due: dist/src/cli/main.js is missing\n');
  run();
  expect(builds()).toBe(before + 4);
  expect(run('--check').status).toBe(0);
});

test('a plain `npm run build` counts as built (its postbuild stamps)', () => {
  touch('src/cli/main.ts');
  expect(run('--check').status).toBe(1);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir });
  expect(run('--check').status).toBe(0);
});
