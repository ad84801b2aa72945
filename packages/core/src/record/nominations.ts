import crypto from 'node:crypto';
import type { AuditEntry } from '../domain/audit';
import type { Question } from '../domain/ballot';
import {
  candidatesOf,
  drawCandidates,
  type ElectionInput,
  electionQuestion,
  type Nominee,
  type NomineeStatus,
} from '../domain/nominations';
import { canonicalJson } from './canonical';

/**
 * An election with nominations, re-checked from the election record's audit log (check V20,
 * docs/election-record.md): the log holds the election's rules (`election.create`), every
 * nomination (`nomination.add`, by nominee and kind), every answer (`nominee.accept`,
 * `nominee.decline`) and, when nominations closed, the commitment (`election.schedule`: each
 * nominee's counts and answer, the seed, the candidates in their order). From these alone:
 * the counts and answers committed are those the log's entries add up to; the candidates are
 * the nominees who accepted and reached the threshold; their order is the one the seed draws;
 * and the ballot's question is theirs: the election's title, seats and STV rules, these candidates in
 * this order, each with the statement they accepted with (by its SHA-256), and the balance
 * rules their declared groups make.
 */

type CommittedNominee = {
  id: string;
  name: string;
  branch?: string;
  status: NomineeStatus;
  members: number;
  branches: number;
  statementHash: string | null;
  groups: string[];
};
type Commitment = {
  ballotId: string;
  orderSeed?: string;
  nominees?: CommittedNominee[];
  candidates: Array<{ nomineeId: string; label: string; groups: string[] }>;
};

const sha256 = (t: string) => crypto.createHash('sha256').update(t, 'utf8').digest('hex');

/** The elections whose candidates are on this ballot, and what is wrong with each; null: none is. */
export function nominationProblems(
  ballot: { id: string; questions: Question[] },
  log: readonly AuditEntry[],
): { elections: number; problems: string[] } | null {
  const scheduled = new Map<string, AuditEntry>();
  for (const e of log)
    if (e.action === 'election.schedule' && e.subject && (e.details as Commitment).ballotId === ballot.id)
      scheduled.set(e.subject, e);
  if (scheduled.size === 0) return null;
  const problems: string[] = [];
  for (const [electionId, last] of scheduled) {
    const say = (p: string) => problems.push(`election ${electionId}: ${p}`);
    const created = log.find((e) => e.action === 'election.create' && e.subject === electionId);
    const first = log.find(
      (e) => e.action === 'election.schedule' && e.subject === electionId && (e.details as Commitment).orderSeed,
    );
    if (!created || !first) {
      say('the log has no entry setting the election, or none committing its candidates');
      continue;
    }
    const rules = created.details as unknown as ElectionInput;
    const commitment = first.details as unknown as Commitment;
    const nominees = commitment.nominees ?? [];
    // The counts and answers committed are those the log's entries add up to, before the commitment.
    const before = log.filter((e) => e.position < first.position && e.subject === electionId);
    for (const n of nominees) {
      const adds = before.filter((e) => e.action === 'nomination.add' && e.details.nomineeId === n.id);
      const members = adds.filter((e) => e.details.kind === 'member').length;
      const branches = adds.filter((e) => e.details.kind === 'branch').length;
      if (members !== n.members || branches !== n.branches)
        say(
          `${n.name}: ${members} members' and ${branches} branches' nominations in the log, ${n.members} and ${n.branches} committed`,
        );
      const answer = before
        .filter(
          (e) => (e.action === 'nominee.accept' || e.action === 'nominee.decline') && e.details.nomineeId === n.id,
        )
        .at(-1);
      const status: NomineeStatus = !answer ? 'pending' : answer.action === 'nominee.accept' ? 'accepted' : 'declined';
      if (status !== n.status) say(`${n.name}: ${status} in the log, ${n.status} committed`);
      if (
        answer &&
        canonicalJson([answer.details.statementHash, answer.details.groups]) !==
          canonicalJson([n.statementHash, n.groups])
      )
        say(`${n.name}: the statement or groups committed are not those the nominee accepted with`);
    }
    // The candidates: who accepted and reached the threshold, in the order the seed draws.
    const standing = candidatesOf(
      rules.threshold,
      nominees.map((n): Nominee => ({ ...n, branch: n.branch ?? '', statement: null })),
    );
    const drawn = drawCandidates(standing, commitment.orderSeed!, electionId);
    const labels = (list: ReadonlyArray<{ label: string }>) => list.map((c) => c.label);
    const committed = (last.details as unknown as Commitment).candidates;
    if (canonicalJson(labels(drawn)) !== canonicalJson(labels(committed)))
      say(
        `the candidates committed (${labels(committed).join(', ')}) are not those who accepted and reached the threshold, in the order the seed draws (${labels(drawn).join(', ')})`,
      );
    // The ballot's question is theirs.
    const q = ballot.questions.find((x) => x.title === rules.title && x.method === 'stv');
    if (!q) {
      say(`the ballot has no STV question "${rules.title}"`);
      continue;
    }
    const want = electionQuestion(
      rules,
      drawn.map((c) => ({ label: c.label, statement: null, groups: c.groups })),
    ).question;
    if (canonicalJson(q.options.map((o) => o.label)) !== canonicalJson(labels(drawn)))
      say(
        `question "${q.title}": its options (${q.options.map((o) => o.label).join(', ')}) are not the candidates drawn`,
      );
    const settings = q.settings as { seats?: number; rules?: string; balance?: unknown };
    if (settings.rules !== want.settings.rules)
      say(
        `question "${q.title}": counted by the ${settings.rules ?? 'unknown'} rules, where the election set the ${want.settings.rules} rules`,
      );
    if (
      settings.seats !== want.settings.seats ||
      canonicalJson(settings.balance ?? null) !== canonicalJson(want.settings.balance ?? null)
    )
      say(`question "${q.title}": its seats or balance rules are not the election's`);
    for (const c of drawn) {
      const o = q.options.find((x) => x.label === c.label);
      if (o && sha256(o.description) !== nominees.find((n) => n.id === c.id)?.statementHash)
        say(`${c.label}: the statement on the ballot is not the one they accepted with`);
    }
  }
  return { elections: scheduled.size, problems };
}
