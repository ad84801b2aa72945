import fs from 'node:fs';
import path from 'node:path';

/** The project's root folder, from the sources (tests) or from the build under dist/. */
function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'omov')
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the omov project folder above ${start}`);
  }
}

export const projectRoot = findRoot(__dirname);
export const emailsDir = path.join(projectRoot, 'emails');
export const publicDir = path.join(projectRoot, 'public');
/** The version of omov this server runs, as its package.json says. */
export const omovVersion: string = (
  JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }
).version;
/** The pages' bundled scripts (scripts/bundle-browser.js, part of the build), served at /assets/app/. */
export const builtAssetsDir = path.join(projectRoot, 'dist', 'assets');
