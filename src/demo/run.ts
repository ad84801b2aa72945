import crypto from 'node:crypto';
import path from 'node:path';
import type { Config } from '../platform/config';
import type { Principal } from '../data/organisations';
import { ballotInputSchema, type Question } from '@omov/core/domain/ballot';
import type { Running } from '../processes/server';
import { completeSetup, createSetupLink } from '../services/auth';
import { closeBallot, createBallot, openBallot } from '../services/ballots';
import { ServiceError } from '../services/errors';
import { invitationProgress } from '../services/invitations';
import { type BallotResults, ballotResults } from '../services/results';
import { importRoll } from '../services/roll';
import { listMessages, readInvitations } from './outbox';
import { type BranchLean, branchLeans, type CastTally, type PlannedVote, planVotes, tallyPlan } from './plan';
import { makeRoll, rollCsv } from './roll';
import { inParallel } from '../platform/in-parallel';
import { voteByLink } from './voter';

/**
 * The demonstration: on a running server, a new organisation (through a setup link), a
 * roll of made-up members imported as CSV, a ballot opened with its invitations written
 * to the outbox folder, votes cast through each member's link on the real voting pages,
 * the ballot closed and counted. Returns what it cast beside the count, so the two can
 * be compared.
 */

export type DemoOptions = {
  members: number;
  branches: number;
  /** Share of members who vote, 0 to 1 (each branch varies around it). */
  turnout: number;
  seed: string;
  /** Members voting at the same time. */
  concurrency?: number;
  /** Give up when no invitation has been sent for this long. */
  stallMs?: number;
  progress?: (line: string) => void;
};

export type DemoOutcome = {
  organisation: { id: string; name: string; organiserEmail: string; password: string };
  roll: { members: number; branches: Array<{ name: string; size: number }> };
  ballot: { id: string; title: string; questions: Question[] };
  leans: BranchLean[];
  /** What the demo cast, counted by the demo itself. */
  cast: CastTally;
  receipts: string[];
  /** The server's count after closing. */
  results: BallotResults;
  /** Where the count differs from what was cast (empty when they agree). */
  differences: string[];
  castSeconds: number;
};

/** Why the demo cannot run on this server, if it cannot. */
export function demoProblems(config: Config, mailWorkerRunning: boolean): string[] {
  const problems: string[] = [];
  if (config.smtpUrl) {
    problems.push(
      'SMTP_URL is set: the demo reads the voting links from the local outbox folder (DATA_DIR/outbox), and would mail made-up addresses through your SMTP server. Unset SMTP_URL to run the demo.',
    );
  }
  if (!mailWorkerRunning)
    problems.push(
      'MAIL_WORKER is off: nothing would write the invitations to the outbox. Unset MAIL_WORKER (or set it to "on").',
    );
  return problems;
}

const QUESTIONS = {
  motion: 'Adopt the new rule book?',
  city: 'Where should the next annual conference be held?',
  cities: ['Leeds', 'Bristol', 'Glasgow', 'Cardiff'],
  // Ranked: STV shows rounds and transfers; Schulze the pairwise matrix.
  executive: 'Elect the executive committee (3 seats)',
  candidates: ['Amina Okafor', 'Ben Carter', 'Chloe Davies', 'Dev Patel', 'Ewan Fraser', 'Fatima Hussain'],
  seats: 3,
  campaign: 'Which campaign should come first next year?',
  campaigns: ['Rent controls', 'Repairs', 'Energy bills', 'Safe streets'],
};
export const RANKED_COUNTS = [QUESTIONS.candidates.length, QUESTIONS.campaigns.length];

async function createDemoOrganisation(running: Running, password: string) {
  const link = await createSetupLink(running.ctx);
  const token = new URL(link).pathname.split('/').pop()!;
  for (let n = 1; n <= 1000; n++) {
    const email = n === 1 ? 'demo@example.org' : `demo+${n}@example.org`;
    const organisationName = n === 1 ? 'Demo Union' : `Demo Union ${n}`;
    try {
      const made = await completeSetup(running.ctx, token, {
        organisationName,
        name: 'Demo Organiser',
        email,
        password,
      });
      const principal: Principal = {
        organiserId: made.organiserId,
        organisationId: made.organisationId,
        email,
        name: 'Demo Organiser',
        role: 'organiser',
        ballotId: null,
      };
      return { n, email, organisationName, principal };
    } catch (err) {
      // An earlier demo has this email: try the next one. The refused setup rolled back, so the link is still unused.
      if (err instanceof ServiceError && err.kind === 'invalid' && err.issues.some((i) => i.path === 'email')) continue;
      throw err;
    }
  }
  throw new Error('there are already 1000 demo organisations in this database');
}

async function waitForInvitations(
  running: Running,
  ballotId: string,
  expected: number,
  stallMs: number,
  say: (s: string) => void,
): Promise<void> {
  let last = -1;
  let lastChange = Date.now();
  let lastSaid = 0;
  for (;;) {
    const p = (await invitationProgress(running.ctx, ballotId)).invitation ?? {
      queued: 0,
      sending: 0,
      sent: 0,
      failed: 0,
    };
    if (p.failed > 0)
      throw new Error(`${p.failed} invitations could not be written to the outbox (see the server log)`);
    if (p.sent >= expected) return;
    if (p.sent !== last) {
      last = p.sent;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > stallMs) throw new Error(`invitations stopped at ${p.sent} of ${expected} sent`);
    if (Date.now() - lastSaid > 2000) {
      say(`  invitations written: ${p.sent} of ${expected}`);
      lastSaid = Date.now();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Where the server's count differs from what the demo cast. */
export function compareWithCast(r: BallotResults, cast: CastTally, branches: string[]): string[] {
  const diffs: string[] = [];
  if (r.turnout.voted !== cast.voted) diffs.push(`voted: count ${r.turnout.voted}, cast ${cast.voted}`);
  // Turnout comes per branch, or per pool of branches with fewer than k voters.
  const shown = new Set(r.turnout.byBranch.flatMap((row) => row.branches));
  for (const b of branches) if (!shown.has(b)) diffs.push(`${b}: missing from the turnout`);
  for (const row of r.turnout.byBranch) {
    const sent = row.branches.reduce((n, b) => n + (cast.byBranch[b] ?? 0), 0);
    if (row.voted !== sent) diffs.push(`${row.branch}: count ${row.voted}, cast ${sent}`);
  }
  r.questions.forEach((q, i) => {
    const c = cast.questions[i];
    if (!c) return void diffs.push(`question ${i + 1} was not cast`);
    q.options.forEach((o, k) => {
      if (o.votes !== String(c.options[k] ?? 0))
        diffs.push(`question ${i + 1}, ${o.option}: count ${o.votes}, cast ${c.options[k] ?? 0}`);
    });
    if (q.abstentions !== String(c.abstentions))
      diffs.push(`question ${i + 1}, abstentions: count ${q.abstentions}, cast ${c.abstentions}`);
  });
  return diffs;
}

export async function runDemo(running: Running, opts: DemoOptions): Promise<DemoOutcome> {
  const say = opts.progress ?? (() => undefined);
  const problems = demoProblems(running.ctx.config, running.worker !== undefined);
  if (problems.length) throw new Error(problems.join('\n'));
  if (!(opts.turnout >= 0 && opts.turnout <= 1)) throw new RangeError('turnout must be between 0 and 1');
  const ctx = running.ctx;
  const outboxDir = path.resolve(ctx.config.dataDir, 'outbox');

  // The password is for a person to sign in and look around; it need not follow the seed.
  const password = crypto.randomBytes(12).toString('base64url');
  const org = await createDemoOrganisation(running, password);
  const p = org.principal;
  say(`Organisation "${org.organisationName}": sign in as ${org.email} with password ${password}`);

  const roll = makeRoll({
    members: opts.members,
    branches: opts.branches,
    seed: opts.seed,
    emailDomain: `demo${org.n}.example.org`,
  });
  const imported = await importRoll(ctx, p, rollCsv(roll), { dryRun: false });
  const largest = roll.branches[0]!;
  const smallest = roll.branches[roll.branches.length - 1]!;
  say(
    `Roll imported: ${imported.added} members in ${roll.branches.length} branches (largest ${largest.name} ${largest.size}, smallest ${smallest.name} ${smallest.size})`,
  );

  const now = Date.now();
  const ballot = await createBallot(
    ctx,
    p,
    ballotInputSchema.parse({
      title: 'Rule book and conference ballot',
      description: 'A demonstration ballot with made-up members.',
      // A minute back, so that a database clock slightly behind ours already sees it open.
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 7 * 24 * 3600_000).toISOString(),
      questions: [
        { title: QUESTIONS.motion, method: 'yesno' },
        { title: QUESTIONS.city, method: 'plurality', options: QUESTIONS.cities.map((label) => ({ label })) },
        {
          title: QUESTIONS.executive,
          description: 'Rank as many candidates as you like: 1 for your first choice.',
          method: 'stv',
          settings: { seats: QUESTIONS.seats },
          options: QUESTIONS.candidates.map((label) => ({ label })),
        },
        {
          title: QUESTIONS.campaign,
          description: 'Rank the campaigns: the one that beats each other head to head comes first.',
          method: 'schulze',
          options: QUESTIONS.campaigns.map((label) => ({ label })),
        },
      ],
    }),
  );
  // Messages already in the folder belong to earlier runs.
  const before = new Set(await listMessages(outboxDir));
  const opened = await openBallot(ctx, p, ballot.id);
  say(`Ballot opened: ${opened.electorate} members in the electorate, ${opened.invitationsQueued} invitations queued`);
  await waitForInvitations(running, ballot.id, opened.invitationsQueued, opts.stallMs ?? 60_000, say);

  const fresh = (await listMessages(outboxDir)).filter((f) => !before.has(f));
  const invitations = await readInvitations(outboxDir, fresh);
  const missing = roll.members.filter((m) => !invitations.has(m.email.toLowerCase()));
  if (missing.length) {
    throw new Error(
      `${missing.length} of ${roll.members.length} invitations are not in ${outboxDir} (e.g. ${missing[0]!.email}); is another server sharing this database sending the mail?`,
    );
  }
  say(`Invitations written: ${roll.members.length} messages in ${outboxDir}`);

  const leans = branchLeans(roll, {
    turnout: opts.turnout,
    optionCount: QUESTIONS.cities.length,
    rankedCounts: RANKED_COUNTS,
    seed: opts.seed,
  });
  const plan = planVotes(roll, leans, opts.seed);
  const concurrency = opts.concurrency ?? 16;
  say(`Voting: ${plan.length} members vote through their links, ${concurrency} at a time`);
  const cast: PlannedVote[] = [];
  const receipts: string[] = [];
  const started = performance.now();
  let lastSaid = started;
  await inParallel(plan, concurrency, async (v) => {
    // The link names the public address; the requests go to where this server listens.
    const link = new URL(invitations.get(v.email.toLowerCase())!.link);
    receipts.push(await voteByLink(`${running.url}${link.pathname}`, v.answers));
    cast.push(v);
    if (performance.now() - lastSaid > 2000) {
      say(`  votes cast: ${cast.length} of ${plan.length}`);
      lastSaid = performance.now();
    }
  });
  const castSeconds = (performance.now() - started) / 1000;
  say(
    `Votes cast: ${cast.length} in ${castSeconds.toFixed(1)} s (${(cast.length / Math.max(castSeconds, 1e-9)).toFixed(0)} per second)`,
  );

  await closeBallot(ctx, p, ballot.id);
  const results = await ballotResults(ctx, p, ballot.id);
  const tally = tallyPlan(
    cast,
    ballot.questions.map((q) => q.options.length),
  );
  return {
    organisation: { id: p.organisationId, name: org.organisationName, organiserEmail: org.email, password },
    roll: { members: roll.members.length, branches: roll.branches },
    ballot: { id: ballot.id, title: ballot.title, questions: ballot.questions },
    leans,
    cast: tally,
    receipts,
    results,
    differences: compareWithCast(
      results,
      tally,
      roll.branches.map((b) => b.name),
    ),
    castSeconds,
  };
}
