import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { runCli } from '../src/cli/main';
import { loadConfig } from '../src/platform/config';
import { readInvitation } from '../src/demo/outbox';
import { branchLeans, planVotes } from '../src/demo/plan';
import { formatResults } from '../src/demo/report';
import { makeRoll, rollCsv, zipfSizes } from '../src/demo/roll';
import { demoProblems, type DemoOutcome, RANKED_COUNTS, runDemo } from '../src/demo/run';
import { DEMO_DATA_DIR, DEMO_PORT, demoEnvironment } from '../src/cli/commands/demo';
import { parseRollCsv } from '../src/services/roll';
import { Client, startTestApp, type TestApp } from './support/app';
import { atOnce, scaled } from './support/machine';

describe('the made-up roll and votes', () => {
  test('Zipf branch sizes by largest remainders', () => {
    // 120 members, 8 branches: one each, then 112 in proportion to 1/k (H_8 = 2.71786):
    // quotas 41.21 20.60 13.74 10.30 8.24 6.87 5.89 5.15 -> floors 41 20 13 10 8 6 5 5 (108);
    // the 4 left go to the largest remainders (.89 .87 .74 .60): branches 7, 6, 3, 2.
    expect(zipfSizes(120, 8)).toEqual([42, 22, 15, 11, 9, 8, 7, 6]);
    for (const [n, b] of [
      [2000, 30],
      [30, 30],
      [31, 1],
      [1000, 7],
    ] as const) {
      const s = zipfSizes(n, b);
      expect(s.reduce((a, c) => a + c, 0)).toBe(n);
      expect(s.every((x, i) => x >= 1 && (i === 0 || x <= s[i - 1]!))).toBe(true);
    }
    expect(() => zipfSizes(5, 8)).toThrow(RangeError);
  });

  test('the roll is valid CSV for the import, with unique emails, and follows the seed', async () => {
    const roll = makeRoll({ members: 500, branches: 12, seed: 's1', emailDomain: 'demo1.example.org' });
    const rows = await parseRollCsv(rollCsv(roll));
    expect(rows).toHaveLength(500);
    expect(new Set(rows.map((r) => r.email.toLowerCase())).size).toBe(500);
    for (const b of roll.branches) expect(rows.filter((r) => r.branch === b.name)).toHaveLength(b.size);
    expect(makeRoll({ members: 500, branches: 12, seed: 's1', emailDomain: 'demo1.example.org' })).toEqual(roll);
    expect(makeRoll({ members: 500, branches: 12, seed: 's2', emailDomain: 'demo1.example.org' }).members).not.toEqual(
      roll.members,
    );
  });

  test('the plan follows the seed and its turnout is close to the one asked for', () => {
    const roll = makeRoll({ members: 2000, branches: 30, seed: 'p', emailDomain: 'x.example.org' });
    for (const turnout of [0, 0.3, 0.7, 1]) {
      const plan = planVotes(roll, branchLeans(roll, { turnout, optionCount: 4, seed: 'p' }), 'p');
      // Rounding each branch's voters moves the total by at most half a vote per branch.
      expect(Math.abs(plan.length - turnout * 2000)).toBeLessThanOrEqual(15);
      expect(new Set(plan.map((v) => v.email)).size).toBe(plan.length);
    }
    const leans = branchLeans(roll, { turnout: 0.7, optionCount: 4, seed: 'p' });
    expect(planVotes(roll, leans, 'p')).toEqual(
      planVotes(roll, branchLeans(roll, { turnout: 0.7, optionCount: 4, seed: 'p' }), 'p'),
    );
    expect(planVotes(roll, leans, 'q')).not.toEqual(planVotes(roll, leans, 'p'));
    // Branches lean differently: not every branch has the same share of Yes.
    const yesShare = leans.map((l) => l.yes);
    expect(Math.max(...yesShare) - Math.min(...yesShare)).toBeGreaterThan(0.1);
  });

  test('a voting link is read from a quoted-printable message even when the line is folded', async () => {
    const link = `https://ballots.a-rather-long-union-name.example.org/v/${'Ab-_9'.repeat(8)}xyz`;
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await transport.sendMail({
      from: 'omov <ballots@localhost>',
      to: '"Zoë Ó Néill" <zoe@example.org>',
      subject: 'Vote — now',
      text: `Dear Zoë,\n\nVote here (this link is yours alone; it works once): ${link}\n\nThanks — omov`,
      html: '<p>x</p>',
    });
    const raw = (info.message as Buffer).toString('utf8');
    expect(raw).toMatch(/=\n/); // the link line is folded, so the decoding is needed
    expect(readInvitation(raw)).toEqual({ file: '', to: 'zoe@example.org', link });
    expect(readInvitation(raw.replace(/\/v\/\S+/, '/v/short'))).toBeUndefined();
  });
});

describe('omov demo', () => {
  let app: TestApp;
  let first: DemoOutcome;
  beforeAll(async () => {
    app = await startTestApp();
    first = await runDemo(app, {
      members: 120,
      branches: 8,
      turnout: 0.7,
      seed: 'demo-test',
      concurrency: atOnce(8),
      stallMs: scaled(60_000),
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  test('the count equals what the demo cast through the voting pages', async () => {
    const r = first.results;
    expect(first.differences).toEqual([]);
    expect(r.ballot.status).toBe('closed');
    expect(r.turnout.eligible).toBe(120);
    // The same seed gives the same plan: the demo cast exactly it.
    const roll = makeRoll({ members: 120, branches: 8, seed: 'demo-test', emailDomain: 'demo1.example.org' });
    const plan = planVotes(
      roll,
      branchLeans(roll, { turnout: 0.7, optionCount: 4, rankedCounts: RANKED_COUNTS, seed: 'demo-test' }),
      'demo-test',
    );
    expect(first.cast.voted).toBe(plan.length);
    expect(r.turnout.voted).toBe(plan.length);
    expect(Math.abs(r.turnout.voted - 84)).toBeLessThanOrEqual(4);
    expect(new Set(first.receipts).size).toBe(plan.length);

    const sizes = [42, 22, 15, 11, 9, 8, 7, 6];
    // Turnout rows are branches, or pools of branches with fewer than k voters.
    for (const row of r.turnout.byBranch) {
      const idx = row.branches.map((name) => first.roll.branches.findIndex((b) => b.name === name));
      expect(idx.every((i) => i >= 0)).toBe(true);
      expect(row.eligible).toBe(idx.reduce((n, i) => n + sizes[i]!, 0));
      expect(row.voted).toBe(plan.filter((v) => row.branches.includes(v.branch)).length);
      if (row.pooled) expect(row.branches.length).toBeGreaterThan(1);
      else expect(row.voted).toBeGreaterThanOrEqual(10);
    }
    expect(r.questions.map((q) => q.method)).toEqual(['yesno', 'plurality', 'stv', 'schulze']);
    for (const [q, result] of r.questions.entries()) {
      // A choice, or a ranking's first preference (the figure the results show for ranked questions).
      const answers = plan.map((v) => v.answers[q]!).map((a) => (Array.isArray(a) ? a[0]! : a));
      expect(result.options.map((o) => Number(o.votes))).toEqual(
        result.options.map((_, k) => answers.filter((a) => a === k).length),
      );
      expect(Number(result.abstentions)).toBe(answers.filter((a) => a === 'abstain').length);
    }
    const [yes, no] = r.questions[0]!.options.map((o) => Number(o.votes)) as [number, number];
    expect(r.questions[0]!.elected).toEqual([yes > no ? 'Yes' : 'No']);
    const city = r.questions[1]!.options.map((o) => Number(o.votes));
    const top = city
      .map((v, k) => (v === Math.max(...city) ? r.questions[1]!.options[k]!.option : null))
      .filter(Boolean);
    expect(top).toContain(r.questions[1]!.elected[0]);

    // The STV question was counted in rounds, with transfers, and filled its three seats.
    const stv = r.questions[2]!;
    expect(stv.elected).toHaveLength(3);
    expect(stv.count.rounds.length).toBeGreaterThan(1);
    expect(stv.count.rounds.some((round) => (round.transfers ?? []).length > 0)).toBe(true);
    // The Schulze question's pairwise matrix is the plan's: ranked above another (or above one left unranked).
    const schulze = r.questions[3]!;
    const rankings = plan.map((v) => v.answers[3]!).filter((a): a is number[] => Array.isArray(a));
    const prefers = (i: number, j: number) =>
      rankings.filter((a) => a.includes(i) && (!a.includes(j) || a.indexOf(i) < a.indexOf(j))).length;
    const names = schulze.options.map((o) => o.option);
    expect(schulze.count.pairwise?.matrix.map((row, i) => row.filter((_, j) => j !== i).map(Number))).toEqual(
      names.map((_, i) =>
        names
          .map((__, j) => j)
          .filter((j) => j !== i)
          .map((j) => prefers(i, j)),
      ),
    );
    expect(schulze.elected).toHaveLength(1);

    // One invitation per member reached the outbox folder.
    const files = (await fs.readdir(path.join(app.ctx.config.dataDir, 'outbox'))).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(120);
  });

  test('the printed result names each branch, the figures and the winners', () => {
    const text = formatResults(first.results);
    expect(text).toContain(`Turnout: ${first.cast.voted} of 120 members voted`);
    // Each turnout row — a branch, or a pool of branches with fewer than k voters — with its figures.
    const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const row of first.results.turnout.byBranch) {
      const size = row.branches.reduce((n, b) => n + first.roll.branches.find((x) => x.name === b)!.size, 0);
      const cast = row.branches.reduce((n, b) => n + (first.cast.byBranch[b] ?? 0), 0);
      expect(text).toMatch(new RegExp(`^${escape(row.branch)} +${size} +${cast} `, 'm'));
    }
    expect(first.results.turnout.byBranch.flatMap((r) => r.branches).sort()).toEqual(
      first.roll.branches.map((b) => b.name).sort(),
    );
    for (const q of first.results.questions) expect(text).toContain(`Result: ${q.elected.join(', ')}`);
    const yes = first.cast.questions[0]!.options[0]!;
    expect(text).toMatch(new RegExp(`^Yes +${yes} `, 'm'));
  });

  test('the organiser can sign in with the printed password', async () => {
    const c = new Client(app.url);
    const r = await c.json('POST', '/api/v1/session', {
      email: first.organisation.organiserEmail,
      password: first.organisation.password,
    });
    expect(r.status).toBe(200);
    expect(r.body.organisationId).toBe(first.organisation.id);
    expect((await c.request('GET', `/ballots/${first.ballot.id}`)).status).toBe(200);
  });

  test('a second demo in the same database makes a new organisation and reads only its own mail', async () => {
    const second = await runDemo(app, {
      members: 10,
      branches: 3,
      turnout: 1,
      seed: 'again',
      concurrency: atOnce(4),
      stallMs: scaled(60_000),
    });
    expect(first.organisation.organiserEmail).toBe('demo@example.org');
    expect(second.organisation.organiserEmail).toBe('demo+2@example.org');
    expect(second.organisation.id).not.toBe(first.organisation.id);
    expect(second.differences).toEqual([]);
    expect(second.results.turnout).toMatchObject({ eligible: 10, voted: 10 });
  });

  test('refuses to run when the mail goes to SMTP', async () => {
    const smtpConfig = { ...app.ctx.config, smtpUrl: 'smtp://127.0.0.1:2525' };
    expect(demoProblems(smtpConfig, true).join()).toMatch(/outbox folder/);
    await expect(
      runDemo({ ...app, ctx: { ...app.ctx, config: smtpConfig } }, { members: 5, branches: 1, turnout: 1, seed: 'x' }),
    ).rejects.toThrow(/SMTP_URL is set/);
    expect(demoProblems(loadConfig({}), false).join()).toMatch(/MAIL_WORKER/);
  });
});

describe('omov demo options', () => {
  let err: jest.SpyInstance;
  beforeEach(() => {
    err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => err.mockRestore());

  test('bad options are input errors (exit code 2), before anything starts', async () => {
    expect(await runCli(['demo', '--members', '5', '--branches', '8'])).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toMatch(/at least --branches/);
    expect(await runCli(['demo', '--turnout', '1.5'])).toBe(2);
    expect(await runCli(['demo', '--members', 'many'])).toBe(2);
  });

  test('the demo has its own data folder and port unless DATA_DIR or PORT say otherwise', () => {
    expect(demoEnvironment({})).toMatchObject({ DATA_DIR: DEMO_DATA_DIR, PORT: String(DEMO_PORT) });
    expect(loadConfig(demoEnvironment({})).dataDir).not.toBe(loadConfig({}).dataDir);
    expect(loadConfig(demoEnvironment({})).port).not.toBe(loadConfig({}).port);
    expect(demoEnvironment({ DATA_DIR: '/srv/omov', PORT: '8080' })).toMatchObject({
      DATA_DIR: '/srv/omov',
      PORT: '8080',
    });
  });

  test('a server that cannot start is one line, naming the data folder, not a stack trace', async () => {
    // A data folder that is a file: nothing can be made in it.
    const file = path.join(os.tmpdir(), `omov-demo-not-a-folder-${process.pid}`);
    await fs.writeFile(file, 'not a folder');
    const saved = { ...process.env };
    Object.assign(process.env, { DATA_DIR: file, PORT: '0' });
    delete process.env.DATABASE_URL;
    delete process.env.SMTP_URL;
    try {
      expect(await runCli(['demo', '--members', '5', '--branches', '1', '--no-serve'])).toBe(2);
    } finally {
      process.env = saved;
      await fs.rm(file, { force: true });
    }
    const printed = err.mock.calls.map((c) => String(c[0])).join('');
    expect(printed).toMatch(new RegExp(`^omov: the demo's server could not start \\(data folder ${file}\\): .+\n$`));
    expect(printed.split('\n')).toHaveLength(2);
  });
});
