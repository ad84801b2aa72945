import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/*
 * The server runs with two glibc malloc arenas (README, MALLOC_ARENA_MAX): `npm start` and
 * the image set it unless the operator already has, since glibc reads it only at start.
 */
const root = path.join(__dirname, '..');
const scripts = (
  JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The environment `npm start`'s command line gives the server, its `node …` swapped for `env`. */
function startEnv(env: Record<string, string>): Record<string, string> {
  const line = scripts.start!.replace(/\bnode dist\/src\/cli\/main\.js serve$/, 'env');
  const out = execFileSync('sh', ['-c', line], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('malloc arenas of the server process', () => {
  it('npm start runs the server itself, with two arenas unless the operator set a number', () => {
    expect(scripts.start).toMatch(/node dist\/src\/cli\/main\.js serve$/);
    expect(startEnv({}).MALLOC_ARENA_MAX).toBe('2');
    expect(startEnv({ MALLOC_ARENA_MAX: '4' }).MALLOC_ARENA_MAX).toBe('4');
  });

  it('the image sets two arenas', () => {
    expect(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).toMatch(/^ENV MALLOC_ARENA_MAX=2$/m);
  });
});
