import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { THREADS_FROM_BYTES } from '@omov/core/cli/verify-file';
import { sampleArchive } from '../../bench/support/verify-ratio';
import { omov } from '../support/cli';

/**
 * `omov verify FILE.bel --jobs N`: the ballots' checks spread over threads give the same output
 * as one thread, for an honest archive and for one whose ballot was altered after it was
 * counted (named by its height either way).
 */
let dir: string;
let honest: string;
let tampered: string;
const BALLOTS = 40;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verify-jobs-'));
  honest = path.join(dir, 'honest.bel');
  tampered = path.join(dir, 'tampered.bel');
  sampleArchive(BALLOTS, honest);
  // The 31st ballot, at height 31 (the Setup is at 0).
  sampleArchive(BALLOTS, tampered, { alter: 30 });
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('over threads or in one, omov verify gives the same output, naming the altered ballot', async () => {
  // Large enough for the threads to be used.
  expect(fs.statSync(honest).size).toBeGreaterThanOrEqual(THREADS_FROM_BYTES);
  expect(fs.statSync(tampered).size).toBeGreaterThanOrEqual(THREADS_FROM_BYTES);
  for (const file of [honest, tampered]) {
    const one = await omov('verify', '--jobs', '1', file);
    const three = await omov('verify', '--jobs', '3', file);
    expect(three).toEqual(one);
  }
  const good = await omov('verify', '--jobs', '2', honest);
  expect(good.code).toBe(0);
  expect(good.out).toContain(`PASS ballots: ${BALLOTS} ballots, signatures and proofs holding`);
  const bad = await omov('verify', '--jobs', '2', tampered, '--format', 'json');
  expect(bad.code).toBe(1);
  expect(JSON.parse(bad.out).checks.find((c: { ok: boolean }) => !c.ok)).toEqual({
    name: 'ballots',
    ok: false,
    detail: 'the ballot at height 31 is refused: the signature is for other contents',
  });
});

test('--jobs is a whole number from 1 to 256: anything else is refused with exit status 2', async () => {
  for (const jobs of ['0', '257', 'all', '1.5']) {
    const r = await omov('verify', '--jobs', jobs, honest);
    expect({ jobs, code: r.code, err: r.err }).toEqual({
      jobs,
      code: 2,
      err: `omov: --jobs must be a whole number from 1 to 256, not "${jobs}"\n`,
    });
  }
});
