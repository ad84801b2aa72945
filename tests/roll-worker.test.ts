import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ServiceError } from '../src/services/errors';
import { readRollInWorker } from '../src/services/roll';
import type { StagedRows } from '../src/data/roll';

/**
 * The roll import's worker thread: it reads the file as its chunks arrive and sends the
 * good rows back in batches, from the TypeScript sources (these tests: the thread compiles
 * them with SWC) and from the build (dist/, as the server runs it).
 */

const CSV =
  'email,name,branch,member_number,joined\nann@example.org,Ann Émile,North,7,31/12/2019\nbob@example.org,Bob,Sur,,\n';

async function* chunksOf(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** The batches, each column as text (they travel as UTF-8 bytes). */
async function read(...args: Parameters<typeof readRollInWorker>): Promise<Array<Record<keyof StagedRows, string>>> {
  const batches: Array<Record<keyof StagedRows, string>> = [];
  for await (const b of readRollInWorker(...args)) {
    expect(Object.values(b).every((c) => Buffer.isBuffer(c))).toBe(true);
    batches.push(
      Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.toString('utf8')])) as Record<
        keyof StagedRows,
        string
      >,
    );
  }
  return batches;
}

// Each column as the PostgreSQL array literal it is staged with.
const expected: Record<keyof StagedRows, string> = {
  line: '{2,3}',
  email: '{"ann@example.org","bob@example.org"}',
  name: '{"Ann Émile","Bob"}',
  branch: '{"North","Sur"}',
  memberNumber: '{"7",NULL}',
  weight: '{"1","1"}',
  joinedOn: '{"2019-12-31",NULL}',
};

describe('the roll reader thread', () => {
  test('runs from the TypeScript sources, reading a file whose characters straddle its chunks', async () => {
    // 3-byte chunks split "É" (two bytes in UTF-8) across two of them.
    expect(await read(chunksOf(Buffer.from(CSV, 'utf8'), 3), { dateOrder: 'dmy' })).toEqual([expected]);
    expect(await read(CSV, { dateOrder: 'dmy' })).toEqual([expected]);
    expect(await read(Buffer.from(CSV, 'latin1'), { dateOrder: 'dmy', encoding: 'windows-1252' })).toEqual([expected]);
  });

  test('sends the problems, by line and column, as the service error they are', async () => {
    const err = await read('email,name,branch\nnot-an-email,Ann,North\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({
      kind: 'invalid',
      issues: [{ path: 'line 2, email', message: '"not-an-email" is not an email address' }],
    });
    const bytes = await read(Buffer.from(CSV, 'latin1')).catch((e: unknown) => e);
    expect(bytes).toMatchObject({ kind: 'invalid', issues: [{ path: 'line 2' }] });
  });

  test('sends a large file in batches while this thread stays free', async () => {
    const n = 12_000;
    const rows = Array.from({ length: n }, (_, i) => `m${i}@example.org,Member ${i},Branch ${i % 7}`);
    const csv = Buffer.from(`email,name,branch\n${rows.join('\n')}\n`);
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    const sizes: number[] = [];
    let firstAt = -1;
    try {
      for await (const b of readRollInWorker(chunksOf(csv, 64 * 1024))) {
        if (firstAt < 0) firstAt = turns;
        sizes.push(b.line.toString('utf8').split(',').length);
        // A slow write, as PostgreSQL's can be.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      clearInterval(ticker);
    }
    expect(sizes).toEqual([5000, 5000, 2000]);
    // Timers ran while the other thread read the first 5,000 rows: nothing held this one.
    expect(firstAt).toBeGreaterThan(0);
  });

  test('runs from the build, its compiled entry beside the compiled service', async () => {
    const dist = path.resolve(__dirname, '../dist/src/services');
    // `npm test` builds first; alone, run `npm run build`.
    expect(fs.existsSync(path.join(dist, 'roll-worker.js'))).toBe(true);
    const script = `
      const { readRollInWorker } = require(${JSON.stringify(path.join(dist, 'roll.js'))});
      (async () => {
        const out = [];
        for await (const b of readRollInWorker(${JSON.stringify(CSV)}, { dateOrder: 'dmy' }))
          out.push(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.toString('utf8')])));
        process.stdout.write(JSON.stringify(out));
      })();`;
    // Node itself, with no conditions: the core package resolves to its build too.
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    expect(JSON.parse(stdout)).toEqual([expected]);
  });
});
