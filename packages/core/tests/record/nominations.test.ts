import crypto from 'node:crypto';
import type { AuditEntry } from '../../src/domain/audit';
import type { Question } from '../../src/domain/ballot';
import { drawCandidates, electionInputSchema, electionQuestion } from '../../src/domain/nominations';
import { nominationProblems } from '../../src/record/nominations';

/**
 * Check V20 re-derives an election's question from the record's audit log alone; here, that
 * the question is counted by the STV rules the election was set with (election.create).
 */

const sha256 = (t: string) => crypto.createHash('sha256').update(t, 'utf8').digest('hex');
const ELECTION = '00000000-0000-4000-8000-0000000000e1';
const BALLOT = '00000000-0000-4000-8000-0000000000b1';
const SEED = 'ab'.repeat(32);
const NAMES = ['Adam', 'Bob', 'Carl', 'Dora'];

function recordOf(created: Record<string, unknown>, questionRules: string) {
  let position = 0;
  const entry = (action: string, details: Record<string, unknown>): AuditEntry => ({
    organisationId: 'org',
    position: ++position,
    at: '2026-12-01T09:00:00.000Z',
    actor: 'system:nominations',
    action,
    subject: ELECTION,
    details,
    prevHash: '',
    hash: '',
  });
  const nominees = NAMES.map((name) => ({
    id: name.toLowerCase(),
    name,
    branch: 'Leeds',
    status: 'accepted' as const,
    members: 2,
    branches: 0,
    statement: `${name} will serve.`,
    statementHash: sha256(`${name} will serve.`),
    groups: [] as string[],
  }));
  const log: AuditEntry[] = [entry('election.create', created)];
  for (const n of nominees) {
    log.push(entry('nomination.add', { nomineeId: n.id, kind: 'member' }));
    log.push(entry('nomination.add', { nomineeId: n.id, kind: 'member' }));
    log.push(entry('nominee.accept', { nomineeId: n.id, name: n.name, groups: [], statementHash: n.statementHash }));
  }
  const drawn = drawCandidates(
    nominees.map((n) => ({ ...n, label: n.name })),
    SEED,
    ELECTION,
  );
  log.push(
    entry('election.schedule', {
      ballotId: BALLOT,
      position: 0,
      orderSeed: SEED,
      nominees: nominees.map(({ statement: _s, ...n }) => n),
      candidates: drawn.map((c) => ({ nomineeId: c.id, label: c.label, groups: [] })),
    }),
  );
  const q = electionQuestion(
    created as never,
    drawn.map((c) => ({ label: c.label, statement: c.statement, groups: [] })),
  ).question;
  const question = {
    id: 'q1',
    position: 0,
    title: q.title,
    description: q.description,
    method: 'stv',
    settings: { ...q.settings, rules: questionRules },
    options: q.options.map((o, i) => ({ id: `o${i}`, position: i, ...o })),
  } as unknown as Question;
  return { ballot: { id: BALLOT, questions: [question] }, log };
}

const set = (rules?: string) =>
  electionInputSchema.parse({
    title: 'National Executive',
    seats: 2,
    ...(rules ? { rules } : {}),
    opensAt: '2026-12-01T09:00:00Z',
    closesAt: '2026-12-15T09:00:00Z',
    threshold: { members: 2, branches: null },
  });

test('an election set with Meek rules, its question counted by Meek: V20 finds nothing wrong', () => {
  const { ballot, log } = recordOf(set('meek'), 'meek');
  expect(nominationProblems(ballot, log)).toEqual({ elections: 1, problems: [] });
});

test("a question counted by other rules than the election's fails V20, saying which", () => {
  const { ballot, log } = recordOf(set('meek'), 'scottish');
  const found = nominationProblems(ballot, log)!;
  expect(found.problems).toEqual([
    `election ${ELECTION}: question "National Executive": counted by the scottish rules, where the election set the meek rules`,
  ]);
});

test('an election set before elections had rules (no rules in election.create) is counted by the Scottish rules', () => {
  const { rules: _r, ...older } = set();
  expect(nominationProblems(recordOf(older, 'scottish').ballot, recordOf(older, 'scottish').log)!.problems).toEqual([]);
  expect(nominationProblems(recordOf(older, 'ers97').ballot, recordOf(older, 'ers97').log)!.problems).toHaveLength(1);
});
