/**
 * Benchmark of a verifiable ballot (docs/verifiable.md).
 *
 *   npm run bench:verifiable                                  # 10,000 members, 200 ballots, 10 in Chromium
 *   npm run bench:verifiable -- --members 2000 --ballots 100 --browser 5
 *   npm run bench:verifiable -- --mixnet 1000                 # the mix-net alone, on 1,000 ranked ballots
 *
 * Starts the server on the embedded PostgreSQL in a temporary folder (or DATABASE_URL),
 * imports N members, makes a verifiable ballot (a yes/no and an approval question of three
 * answers), runs the three trustees' key generation over the API and the credential
 * authority's work in this process, opens it, and prints:
 *   - the time to encrypt a ballot in Chromium (the voting page: click to tracker shown),
 *     and to cast it (click to "cast" shown);
 *   - the server's checking of a ballot (signature and proofs, the core's checkBallot) in ms,
 *     CPU ms and ballots/s per core, by OpenSSL's and by BigInt's exponentiation, and casting
 *     over HTTP one after another;
 *   - the close (the chain checked again and the encrypted tally), of which the pools' pass
 *     (the branch figures' encrypted sub-tallies), and each trustee's partial decryption:
 *     time and memory, and the server's check of it;
 *   - omov verify (every core, and one thread) and belenios-tool election verify on the
 *     archive, and their ratio (bench/support/verify-ratio.ts).
 * Ballots beyond those cast in Chromium are made here with the core (what `omov vote` does).
 *
 * With --mixnet N, only the mix-net for ranked questions (bench/support/mixnet.ts): one
 * trustee's shuffle of N ballots of a 5-option ranked question with its proof, the check of
 * that proof (both by omov, in seconds per 1,000 ballots), belenios-tool's `election
 * shuffle` of the same ballots, and the server's check of a shuffle in two pools of branches
 * through its checker threads, with BALLOT_CHECKERS=0 and 2 (time, event loop's longest delay).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { checkBallot, encryptBallot, parseBallot, type Plaintext } from '@omov/core/crypto/ballot';
import { makeCredentials } from '@omov/core/crypto/credential';
import { type Election, parseElection } from '@omov/core/crypto/election';
import { groupNamed, useNativePow } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { lastBallots, parseEncryptedTally, partialDecrypt } from '@omov/core/crypto/tally';
import {
  branchTallies,
  decryptPools,
  parseBranchTallies,
  writeTrusteeDecryption,
} from '@omov/core/crypto/branch-tally';
import { readArchiveFiles } from '@omov/core/crypto/verify-archive';
import { ballotInputSchema } from '@omov/core/domain/ballot';
import { findBallotById } from '../src/data/ballots';
import { listPublicCredentials } from '../src/data/credentials';
import type { Db } from '../src/db/database';
import { makeRoll, rollCsv } from '../src/demo/roll';
import { inParallel } from '../src/platform/in-parallel';
import { closeBallot, createBallot, openBallot } from '../src/services/ballots';
import { credentialRoll, inviteCredentialAuthority, uploadPublicCredentials } from '../src/services/credentials';
import { importRoll } from '../src/services/roll';
import { inviteTrustees, trusteeTask } from '../src/services/trustees';
import { beleniosArchive, electionJson } from '../src/services/verifiable';
import { benchOrganisation, runBench, startBenchServer } from './support/server';
import { type Call, makeTrusteeKeys } from './support/verifiable';
import { formatVerifyRatio, verifyRatio } from './support/verify-ratio';

import { measureMixnet, measureServerCheck } from './support/mixnet';

const CHROMIUM = '/usr/bin/chromium';
/** Casts in flight at once in the concurrent phase. */
const CONCURRENT = 8;

function options() {
  const { values } = parseArgs({
    options: {
      members: { type: 'string', short: 'n' },
      ballots: { type: 'string', short: 'b' },
      browser: { type: 'string' },
      mixnet: { type: 'string' },
    },
  });
  const num = (v: string | undefined, fallback: number, what: string, min = 1) => {
    const n = Number(v ?? fallback);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${what} must be a whole number of at least ${min}`);
    return n;
  };
  const members = num(values.members, 10_000, 'members');
  const browser = num(values.browser, 10, 'browser', 0);
  const ballots = num(values.ballots, 200, 'ballots', 0);
  if (browser + ballots > members) throw new Error('--browser plus --ballots must not exceed --members');
  const mixnet = num(values.mixnet, 0, 'mixnet', 0);
  return { members, ballots, browser, mixnet };
}

/**
 * fetch, tried once more if the connection fails before an answer: the checks above hold this
 * process's event loop for minutes, and a kept-alive connection the server closed meanwhile
 * is reset when reused (the request never reached the server).
 */
async function fetchAgain(input: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return fetch(input, init);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const time = async <T>(run: () => Promise<T> | T): Promise<[T, number]> => {
  const t = performance.now();
  const r = await run();
  return [r, performance.now() - t];
};

async function main(): Promise<number> {
  const { members, ballots, browser: inBrowser, mixnet } = options();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (mixnet > 0) {
    out(
      `bench:verifiable --mixnet  ${mixnet} ranked ballots (5 options), RFC-3526-2048, ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    out(`  load average ${os.loadavg()[0]!.toFixed(1)}`);
    const f = measureMixnet(mixnet, true);
    out(
      `  omov shuffle with its proof: ${(f.shuffleMs / 1000).toFixed(1)} s (${f.shufflePer1000s.toFixed(1)} s per 1,000 ballots)`,
    );
    out(
      `  omov check of the proof: ${(f.checkMs / 1000).toFixed(1)} s (${f.checkPer1000s.toFixed(1)} s per 1,000 ballots)`,
    );
    out(
      `  belenios-tool election shuffle (the process, reading the archive): ${((f.beleniosShuffleMs ?? 0) / 1000).toFixed(1)} s`,
    );
    out(`  load average ${os.loadavg()[0]!.toFixed(1)}`);
    for (const c of await measureServerCheck(mixnet, [0, 2]))
      out(
        `  the server's check of a shuffle in 2 pools (whole-list and pool proofs), BALLOT_CHECKERS=${c.checkers}: ${(c.checkMs / 1000).toFixed(1)} s, the event loop's longest delay ${(c.loopMaxDelayMs / 1000).toFixed(1)} s`,
      );
    out(`  load average ${os.loadavg()[0]!.toFixed(1)}`);
    return 0;
  }
  const server = await startBenchServer('verifiable');
  const { ctx, url } = server.running;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'omov-bench-verifiable-'));
  try {
    out(
      `bench:verifiable  ${members} members, ${inBrowser} ballots cast in Chromium and ${ballots} made with the core, ${os.cpus().length} CPUs, Node ${process.version}`,
    );
    out(`  database: ${server.describe}; load average ${os.loadavg()[0]!.toFixed(1)}`);
    const p = await benchOrganisation(server);
    const roll = makeRoll({
      members,
      branches: Math.min(30, members),
      seed: 'bench',
      emailDomain: 'bench.example.org',
    });
    await importRoll(ctx, p, rollCsv(roll), { dryRun: false });
    const now = Date.now();
    const ballot = await createBallot(
      ctx,
      p,
      ballotInputSchema.parse({
        title: 'Bench verifiable ballot',
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 86_400_000).toISOString(),
        questions: [
          { title: 'Adopt the motion?', method: 'yesno' },
          {
            title: 'Approve',
            method: 'approval',
            settings: { seats: 1, maxMarks: 2 },
            options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }],
          },
        ],
        mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Bench authority' },
      }),
    );
    const id = ballot.id;

    // The organiser's one call the trustees' helper needs, made in this process.
    const organiser: Call = async (_method, _path, body) => ({
      status: 201,
      body: {
        trustees: await inviteTrustees(
          ctx,
          p,
          id,
          (body as { names: string[] }).names.map((name) => ({ name, email: null })),
        ),
      },
    });
    const [trustees, keyMs] = await time(() => makeTrusteeKeys(url, organiser, id, 3, 2));
    out(`  key generation, 3 trustees (threshold 2), over the API: ${ms(keyMs)}`);

    // The credential authority, in this process: the API's 1 MB body limit holds about 1,500 credentials.
    const [credentials, credMs] = await time(async () => {
      const authority = (await inviteCredentialAuthority(ctx, p, id)).token!;
      const r = await credentialRoll(ctx, authority);
      const made = makeCredentials(
        groupNamed(r.group),
        r.electionUuid,
        r.members.map((m) => ({ ...m, weight: BigInt(m.weight) })),
        systemRandom,
      );
      await uploadPublicCredentials(
        ctx,
        authority,
        made.publicCredentials.map((c) => ({
          credential: String(c.credential),
          weight: String(c.weight),
          branch: c.branch,
        })),
      );
      return made.privateCredentials.map((c) => c.credential);
    });
    out(`  credentials for ${members} members, made and uploaded: ${(credMs / 1000).toFixed(1)} s`);
    const [, openMs] = await time(() => openBallot(ctx, p, id));
    out(`  open: ${ms(openMs)}`);
    const election = parseElection(await electionJson(ctx, id));

    // Chromium: the voting page, each member in a fresh context.
    if (inBrowser) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      const encrypt: number[] = [];
      const cast: number[] = [];
      try {
        for (let i = 0; i < inBrowser; i++) {
          const context = await browser.newContext();
          const page = await context.newPage();
          await page.goto(`${url}/verifiable-vote/${id}#${credentials[i]}`);
          await page.locator('#verifiable-vote-app[data-step="form"]').waitFor();
          await page.locator('#question-0').getByLabel('Yes', { exact: true }).check();
          await page.locator('#question-1').getByLabel('A', { exact: true }).check();
          let t = performance.now();
          await page.getByRole('button', { name: 'Encrypt my ballot' }).click();
          await page.locator('#verifiable-vote-app[data-step="encrypted"]').waitFor();
          encrypt.push(performance.now() - t);
          t = performance.now();
          await page.getByRole('button', { name: 'Cast this ballot' }).click();
          await page.locator('#verifiable-vote-app[data-step="cast"]').waitFor();
          cast.push(performance.now() - t);
          await context.close();
        }
      } finally {
        await browser.close();
      }
      out(
        `  Chromium, encrypt a ballot (click to tracker shown): median ${ms(median(encrypt))}, max ${ms(Math.max(...encrypt))}`,
      );
      out(`  Chromium, cast it (click to "cast" shown): median ${ms(median(cast))}`);
    }

    // The core: make the ballots (as omov vote does), then the server's check of each, then cast over HTTP.
    const plaintexts: Plaintext[] = [
      [
        [0, 1, 0],
        [0, 1, 0, 0],
      ],
      [
        [0, 0, 1],
        [0, 0, 1, 1],
      ],
      [
        [1, 0, 0],
        [1, 0, 0, 0],
      ],
    ];
    const [made, makeMs] = await time(() =>
      credentials
        .slice(inBrowser, inBrowser + ballots)
        .map((c, i) => encryptBallot(election, c, plaintexts[i % plaintexts.length]!, systemRandom)),
    );
    if (ballots) {
      out(`  Node, encrypt a ballot: ${ms(makeMs / ballots)}`);
      // Both exponentiation paths in the same run: OpenSSL (the server's) and BigInt (a browser's, and the server's before).
      for (const [path, native] of [
        ['OpenSSL', true],
        ['BigInt', false],
      ] as const) {
        useNativePow(native);
        const cpu = process.cpuUsage();
        const [, checkMs] = await time(() => {
          for (const b of made) if (!checkBallot(election, b.text).ok) throw new Error('a ballot does not check');
        });
        const used = process.cpuUsage(cpu);
        const cpuMs = (used.user + used.system) / 1000 / ballots;
        out(
          `  server's check of a ballot (signature and proofs), ${path}: ${ms(checkMs / ballots)}, CPU ${ms(cpuMs)}, ${(1000 / cpuMs).toFixed(1)} ballots/s per core`,
        );
      }
      useNativePow(true);
      const [, castMs] = await time(async () => {
        for (const b of made) {
          const r = await fetchAgain(`${url}/api/v1/ballots/${id}/verifiable-ballots`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: b.text,
          });
          if (r.status !== 201) throw new Error(`cast: ${r.status} ${await r.text()}`);
        }
      });
      out(
        `  cast over HTTP, one after another: ${ms(castMs / ballots)} each, ${(ballots / (castMs / 1000)).toFixed(1)} ballots/s`,
      );
      // The same members vote again (re-voting is allowed), CONCURRENT casts in flight at once,
      // while /healthz is asked every 20 ms: the server's event loop stays free only if the
      // checks run off it. The server runs in this process, so its loop's delay is measured here.
      const again = credentials
        .slice(inBrowser, inBrowser + ballots)
        .map((c, i) => encryptBallot(election, c, plaintexts[(i + 1) % plaintexts.length]!, systemRandom));
      const delay = monitorEventLoopDelay({ resolution: 10 });
      const health: number[] = [];
      let casting = true;
      const probe = (async () => {
        while (casting) {
          const t = performance.now();
          const r = await fetchAgain(`${url}/healthz`);
          await r.arrayBuffer();
          health.push(performance.now() - t);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      delay.enable();
      const [, burstMs] = await time(() =>
        inParallel(again, CONCURRENT, async (b) => {
          const r = await fetchAgain(`${url}/api/v1/ballots/${id}/verifiable-ballots`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: b.text,
          });
          if (r.status !== 201) throw new Error(`cast: ${r.status} ${await r.text()}`);
        }),
      );
      delay.disable();
      casting = false;
      await probe;
      out(
        `  cast over HTTP, ${CONCURRENT} at once (${ctx.config.ballotCheckers} checker threads): ${(ballots / (burstMs / 1000)).toFixed(1)} ballots/s; event-loop delay p50 ${ms(delay.percentile(50) / 1e6)}, p99 ${ms(delay.percentile(99) / 1e6)}, max ${ms(delay.max / 1e6)}; /healthz median ${ms(median(health))}, max ${ms(Math.max(...health))} (${health.length} asked)`,
      );
    }

    // The close: the chain checked again and the encrypted tally of every ballot cast.
    const [, closeMs] = await time(() => closeBallot(ctx, p, id));
    out(`  close (chain check and encrypted tally of ${inBrowser + ballots} ballots): ${ms(closeMs)}`);
    const poolFigures = await poolPass(ctx.db, id, election, (await beleniosArchive(ctx, id)).bytes);
    out(
      `  of which the pools' pass (the ${poolFigures.pools} pools of ${poolFigures.branches} branches and their encrypted sub-tallies, for the branch figures), again alone: ${ms(poolFigures.ms)} over ${poolFigures.counted} counted ballots`,
    );
    for (const [i, token] of trustees.tokens.slice(0, 2).entries()) {
      const task = await trusteeTask(ctx, token);
      const tally = parseEncryptedTally(task.encryptedTally!);
      const heap = process.memoryUsage().heapUsed;
      const pools = task.branchTallies === null ? undefined : parseBranchTallies(election, task.branchTallies);
      const [pd, pdMs] = await time(() => ({
        tally: partialDecrypt(election, tally, trustees.keys[i]!, systemRandom),
        pools: pools && decryptPools(election, pools, trustees.keys[i]!, systemRandom),
      }));
      const grew = process.memoryUsage().heapUsed - heap;
      const [r, submitMs] = await time(() =>
        fetchAgain(`${url}/api/v1/trustee/partial-decryption`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: writeTrusteeDecryption(pd.tally, pd.pools),
        }),
      );
      if (!r.ok) throw new Error(`partial decryption: ${r.status} ${await r.text()}`);
      out(
        `  trustee ${i + 1}: partial decryption of the tally and ${pools?.pools.length ?? 0} pools' sub-tallies ${ms(pdMs)} (heap +${mb(Math.max(0, grew))}, rss ${mb(process.memoryUsage().rss)}); the server's check${i === 1 ? ' and the result' : ''}: ${ms(submitMs)}`,
      );
    }

    const archive = await beleniosArchive(ctx, id);
    const archiveFile = path.join(dir, archive.fileName);
    await fs.writeFile(archiveFile, archive.bytes);
    out(`  archive: ${mb(archive.bytes.length)}`);
    try {
      for (const line of formatVerifyRatio(verifyRatio(archiveFile))) out(`  ${line}`);
    } catch (err) {
      out(
        `  omov verify or belenios-tool election verify: FAILED or missing (${(err as Error).message.split('\n')[0]})`,
      );
      return 1;
    }
    return 0;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
    await server.stop();
  }
}

/**
 * The verifiable close's extra pass for the branch figures (closeBranches in
 * src/services/verifiable-branches.ts, inside the closing transaction): the counted ballots'
 * pools of branches and each pool's encrypted sub-tally, timed again here alone, on the
 * ballots the close counted (each credential's last in the archive) and the ballot's public
 * credentials. Its storing (one row) is not in it.
 */
async function poolPass(db: Db, id: string, election: Election, archive: Uint8Array) {
  const listed = await listPublicCredentials(db, id);
  const b = (await findBallotById(db, id))!;
  const weights = new Map(listed.map((c) => [BigInt(c.credential), BigInt(c.weight)]));
  const counted = lastBallots(
    readArchiveFiles(archive)
      .filter((f) => f.text.startsWith('{"election_uuid"'))
      .map((f) => parseBallot(f.text))
      .map((ballot) => ({ ballot, weight: weights.get(ballot.credential)! })),
  );
  const [section, poolMs] = await time(() => branchTallies(election, counted, listed, b.k));
  return {
    ms: poolMs,
    pools: section.pools.length,
    branches: Object.keys(section.credentials).length,
    counted: counted.length,
  };
}

runBench('verifiable', main);
