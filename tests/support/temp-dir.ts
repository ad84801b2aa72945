import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * For a whole test file: a folder of its own under the system's temporary folder, removed at
 * the file's end, even after a failure. `at(name)` is a path in it.
 */
export function tempDirPerFile(prefix: string): (name: string) => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return (name) => path.join(dir!, name);
}
