import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ElectionRecord } from '@omov/core/record/record';
import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { exportedRecord } from '../support/record';
import { sampleArchive } from '../../bench/support/verify-ratio';

/**
 * The auditor's verifier on its own: `npm pack` of packages/core, installed into an empty
 * project with nothing else and no network (its declared dependencies packed from this
 * repository's node_modules, `npm install --offline`), then `npx omov-verify` on the record
 * of a real closed ballot. The installed tree holds no database or web package.
 */

const run = promisify(execFile);
const repo = path.join(__dirname, '../..');
const core = path.join(repo, 'packages/core');
const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');

let app: TestApp;
let dir: string;
let project: string;
let record: string;
let root: string;
let closeHash: string;

/** npm and npx as an auditor runs them: no settings inherited from this repository's npm run, no network. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
}

async function sh(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env: npmEnv(), maxBuffer: 16 << 20 });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof x.code !== 'number') throw e;
    return { code: x.code, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

/** Every package installed under a node_modules folder, by name. */
function installed(dirPath: string): string[] {
  const names: string[] = [];
  const walk = (nm: string) => {
    if (!fs.existsSync(nm)) return;
    for (const entry of fs.readdirSync(nm)) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@')
        ? fs.readdirSync(path.join(nm, entry)).map((s) => path.join(entry, s))
        : [entry];
      for (const d of dirs) {
        names.push(d);
        walk(path.join(nm, d, 'node_modules'));
      }
    }
  };
  walk(path.join(dirPath, 'node_modules'));
  return names.sort();
}

/** A real ballot: imported roll, votes cast with real links, closed; its record exported. */
async function closedBallotRecord(): Promise<string> {
  const org = await setUpOrganisation(app, 'Package Union');
  const rows = ['North', 'South'].flatMap((b) =>
    Array.from({ length: 4 }, (_, i) => `${b.toLowerCase()}${i}@example.org,${b} ${i},${b}`),
  );
  await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  const created = await org.json<{ id: string; questions: Array<{ id: string }> }>('POST', '/api/v1/ballots', {
    title: 'Rule book',
    ...ballotTimes(),
    k: 2,
    questions: [
      { title: 'Adopt?', method: 'yesno' },
      { title: 'Chair', method: 'irv', options: [{ label: 'Ann' }, { label: 'Bob' }, { label: 'Cy' }] },
    ],
  });
  expect(created.status).toBe(201);
  const ballot = created.body;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .select('sealed_token')
    .where('ballot_id', '=', ballot.id)
    .execute();
  for (const [i, t] of tokens.entries()) {
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: {
        [ballot.questions[0]!.id]: { kind: 'choice', option: i % 3 === 0 ? 1 : 0 },
        [ballot.questions[1]!.id]: {
          kind: 'ranking',
          options: [
            [0, 1],
            [1, 2, 0],
            [2, 0],
          ][i % 3]!,
        },
      },
    });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  return exportedRecord(app.db, ballot.id);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verify-package-'));
  app = await startTestApp();
  const bytes = await closedBallotRecord();
  record = path.join(dir, 'record.json');
  fs.writeFileSync(record, bytes);
  const r = JSON.parse(bytes) as ElectionRecord;
  root = r.boxRoot;
  closeHash = r.auditLog.find((e) => e.action === 'ballot.close')!.hash;

  // The package as npm would publish it (its prepack builds it), and each dependency it
  // declares packed from this repository's node_modules: the only things the project gets.
  const packs = path.join(dir, 'packs');
  fs.mkdirSync(packs);
  const packed = await sh('npm', ['pack', '--pack-destination', packs, '--silent'], core);
  expect(packed).toMatchObject({ code: 0 });
  // Each declared dependency, and theirs in turn, as npm would find them from the package.
  const readPackage = (d: string) =>
    JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const locate = (name: string, from: string) =>
    [
      path.join(from, 'node_modules', name),
      path.join(core, 'node_modules', name),
      path.join(repo, 'node_modules', name),
    ].find((d) => fs.existsSync(path.join(d, 'package.json')));
  const wanted = Object.keys(readPackage(core).dependencies ?? {}).map((name) => ({ name, from: core }));
  const packedDirs = new Set<string>();
  while (wanted.length) {
    const { name, from } = wanted.shift()!;
    const at = locate(name, from);
    expect([name, at !== undefined]).toEqual([name, true]);
    if (packedDirs.has(at!)) continue;
    packedDirs.add(at!);
    for (const d of Object.keys(readPackage(at!).dependencies ?? {})) wanted.push({ name: d, from: at! });
    expect(await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', packs, '--silent'], at!)).toMatchObject({
      code: 0,
    });
  }
  project = path.join(dir, 'audit');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'audit', private: true }));
  const tarballs = fs.readdirSync(packs).map((f) => path.join(packs, f));
  expect(tarballs.filter((f) => /omov-core-.*\.tgz$/.test(f))).toHaveLength(1);
  const install = await sh('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], project);
  expect(install).toMatchObject({ code: 0 });
}, 300_000);

afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the installed tree is the verifier and its declared dependencies: no pg, express or kysely', () => {
  const names = installed(project);
  expect(names).toContain('@omov/core');
  // The verifier's own dependencies: zod, and the audited crypto primitives of the verifiable mode.
  expect(names).toEqual(['@noble/curves', '@noble/hashes', '@omov/core', 'zod']);
  for (const server of ['pg', 'express', 'kysely']) expect(names).not.toContain(server);
  expect(fs.existsSync(path.join(project, 'node_modules/.bin/omov-verify'))).toBe(true);
});

test('npx omov-verify RECORD --root --close-hash: exit 0, every numbered check passes', async () => {
  const r = await sh('npx', ['omov-verify', record, '--root', root, '--close-hash', closeHash], project);
  expect(r.err).not.toContain('omov-verify:');
  expect(r.code).toBe(0);
  const ids = [...r.out.matchAll(/^PASS {2}(V[\d.]+) /gm)].map((m) => m[1]);
  expect(ids).toEqual([
    'V1',
    'V2',
    'V3',
    'V4',
    'V5',
    'V6',
    'V7',
    'V8',
    'V9.1',
    'V9.2',
    'V10',
    'V11',
    'V12',
    'V13',
    'V14',
    'V15',
    'V17',
  ]);
  expect(r.out).toMatch(/^VERIFIED: all 17 checks pass$/m);
  const json = await sh('npx', ['omov-verify', record, '--format', 'json'], project);
  expect(json.code).toBe(0);
  expect((JSON.parse(json.out) as { checks: Array<{ id: string }> }).checks[0]!.id).toBe('V1');
}, 180_000);

test('a tampered record exits 1 naming the check; a file that is not a record exits 2', async () => {
  const r = JSON.parse(fs.readFileSync(record, 'utf8')) as ElectionRecord;
  const q = r.ballot.questions[0]!.id;
  const answer = r.votes[0]!.answers[q] as { kind: 'choice'; option: number };
  r.votes[0]!.answers[q] = { kind: 'choice', option: 1 - answer.option };
  const tampered = path.join(dir, 'tampered.json');
  fs.writeFileSync(tampered, JSON.stringify(r));
  const bad = await sh('npx', ['omov-verify', tampered, '--root', root], project);
  expect(bad.code).toBe(1);
  expect(bad.out).toMatch(/^FAIL {2}V4 {4}box root: /m);
  expect(bad.out).toMatch(/^FAIL {2}V9\.1 {2}count: question 1 "Adopt\?": /m);
  expect(bad.out).toMatch(/^NOT VERIFIED: /m);

  const other = path.join(dir, 'other.json');
  fs.writeFileSync(other, '{"format": "something else"}');
  const notRecord = await sh('npx', ['omov-verify', other], project);
  expect(notRecord.code).toBe(2);
  expect(notRecord.out).toMatch(/^FAIL {2}V1 {4}format: /m);
  expect(notRecord.err).toContain('is not an election record');
  expect((await sh('npx', ['omov-verify', record, '--root', 'nothex'], project)).code).toBe(2);
}, 180_000);

test('npx omov-verify FILE.bel --jobs 2: the installed package checks the ballots in its worker threads, as in one', async () => {
  // 40 ballots: over the size from which the threads are used.
  const archive = path.join(dir, 'sample.bel');
  sampleArchive(40, archive);
  const threads = await sh('npx', ['omov-verify', archive, '--jobs', '2'], project);
  expect(threads.err).toBe('');
  expect(threads.code).toBe(0);
  expect(threads.out).toContain('PASS ballots: 40 ballots, signatures and proofs holding');
  expect(await sh('npx', ['omov-verify', archive, '--jobs', '1'], project)).toEqual(threads);
  const bad = await sh('npx', ['omov-verify', archive, '--jobs', '0'], project);
  expect(bad).toMatchObject({ code: 2, err: 'omov-verify: --jobs must be a whole number from 1 to 256, not "0"\n' });
}, 180_000);
