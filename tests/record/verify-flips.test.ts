import { type AuditEntry, auditHash, GENESIS_HASH } from '@omov/core/domain/audit';
import { comparisonSchema, type Question, type StoredVote } from '@omov/core/domain/ballot';
import type { UnitFacts } from '@omov/core/domain/count';
import { merkleRoot } from '@omov/core/record/merkle';
import {
  buildRecord,
  countRecord,
  type ElectionRecord,
  recordBytes,
  recordFormatOf,
  storedResults,
  voteLeaf,
} from '@omov/core/record/record';
import { type Check, verifyRecord } from '@omov/core/record/verify';

/**
 * The smallest flips of a declared comparison in the election record (format 4): `omov
 * verify` recounts them and fails on a tampered one; a record stored before format 4 (its
 * comparisons without flips) still verifies, recounted without them.
 *
 * North (5 voting): Leeds 3, York 2. South (4 voting): York 4. Hamilton shares 5 delegates
 * by members (North 6, South 4) as North 3, South 2, voting as blocs: Leeds 3, York 2, so the
 * conference chooses Leeds; the members York (6 to 3). One North Leeds voter voting York
 * turns North (York 3, Leeds 2): 1 member in 1 branch. The members: Leeds needs 2 of York's.
 */
const city: Question = {
  id: 'q-city',
  position: 0,
  title: 'City',
  description: '',
  method: 'plurality',
  settings: {},
  options: ['Leeds', 'York'].map((label, i) => ({ id: `o-${label}`, position: i, label, description: '' })),
  comparisons: [
    comparisonSchema.parse({ label: 'Blocs', model: { basis: 'members', rule: 'bloc', method: 'hamilton', seats: 5 } }),
  ],
};
const units: UnitFacts[] = [
  { name: 'North', branches: ['North'], pooled: false, members: 6, electorate: 6 },
  { name: 'South', branches: ['South'], pooled: false, members: 4, electorate: 4 },
];
const votes: StoredVote[] = [
  ...[0, 0, 0, 1, 1].map((option, i) => ({ unit: 'North', option, i })),
  ...[1, 1, 1, 1].map((option, i) => ({ unit: 'South', option, i: i + 5 })),
].map(({ unit, option, i }) => ({
  receipt: `R${String(i).padStart(4, '0')}-00000`,
  unit,
  weight: '1',
  answers: { 'q-city': { kind: 'choice', option } },
}));
const ballot = { id: 'ballot-1', delegates: null, questions: [city] };

function recordOf(results: ReturnType<typeof countRecord>): ElectionRecord {
  const sorted = [...votes].sort((a, b) => (a.receipt! < b.receipt! ? -1 : 1));
  const root = merkleRoot(sorted.map(voteLeaf));
  const resultsHash = storedResults(results).hash;
  const log: AuditEntry[] = [];
  const entries = [
    { action: 'ballot.create', subject: 'ballot-1', details: { title: 'City' } },
    { action: 'ballot.open', subject: 'ballot-1', details: { electorate: 10 } },
    {
      action: 'ballot.close',
      subject: 'ballot-1',
      details: { boxRoot: root, votes: votes.length, units: units.map((u) => u.name), resultsHash },
    },
  ];
  entries.forEach((e, i) => {
    const body = {
      organisationId: 'org-1',
      position: i + 1,
      at: `2026-03-0${i + 1}T10:00:00.000Z`,
      actor: 'organiser:olive@example.org',
      prevHash: log[i - 1]?.hash ?? GENESIS_HASH,
      ...e,
    };
    log.push({ ...body, hash: auditHash(body) } as AuditEntry);
  });
  return buildRecord({
    ballot: {
      ...ballot,
      title: 'City',
      description: '',
      opensAt: '2026-03-01T09:00:00.000Z',
      closesAt: '2026-03-08T09:00:00.000Z',
      timeZone: 'Europe/London',
      openedAt: '2026-03-01T09:00:00.000Z',
      closedAt: '2026-03-08T09:00:00.000Z',
      k: 1,
      receiptPolicy: 'choices',
      voterListVisible: false,
    },
    byBranch: [
      { branch: 'North', eligible: 6, voted: 5 },
      { branch: 'South', eligible: 4, voted: 4 },
    ],
    units,
    votes,
    receipts: [],
    tokens: null,
    chain: null,
    boxRoot: root,
    results,
    resultsHash,
    auditLog: log,
  });
}
const failing = (checks: Check[]) => checks.filter((c) => c.verdict === 'FAIL').map((c) => c.name);
const problems = (checks: Check[], name: string) => checks.find((c) => c.name === name)?.problems.join('\n') ?? '';

test('format 4 carries each comparison’s flips, and the verifier recounts them', () => {
  const results = countRecord(ballot, votes, 10, units);
  const record = JSON.parse(recordBytes(recordOf(results))) as ElectionRecord;
  expect(record.format).toBe('omov-election-record/5');
  const flip = record.results[0]!.comparisons![0]!.flip!;
  expect(flip.conference).toMatchObject({ exact: true, members: 1, branches: 1, to: 'York' });
  expect(flip.members).toMatchObject({ exact: true, members: 2, from: 'York', to: 'Leeds' });
  expect(flip.summary).toBe(
    "1 member in 1 branch would have flipped the conference; 2 would have flipped the members' vote.",
  );
  expect(failing(verifyRecord(record).checks)).toEqual([]);
});

test('a tampered flip fails the count of its question', () => {
  const record = JSON.parse(recordBytes(recordOf(countRecord(ballot, votes, 10, units)))) as ElectionRecord;
  const c = record.results[0]!.comparisons![0]! as { flip: { conference: { members: number } } };
  c.flip.conference.members = 3;
  const checks = verifyRecord(record).checks;
  expect(failing(checks)).toContain('count: question 1 "City"');
  expect(problems(checks, 'count: question 1 "City"')).toContain(
    'comparisons[0].flip.conference.members: published 3, recount 1',
  );
});

test('results stored before format 4 (no flips) keep format 3 and still verify', () => {
  const three = countRecord(ballot, votes, 10, units, 'omov-election-record/3');
  expect(three[0]!.comparisons![0]!.flip).toBeUndefined();
  expect(recordFormatOf(three)).toBe('omov-election-record/3');
  const record = JSON.parse(recordBytes(recordOf(three))) as ElectionRecord;
  expect(record.format).toBe('omov-election-record/3');
  expect(failing(verifyRecord(record).checks)).toEqual([]);
  // Called format 4, the same results lack what a recount gives.
  const asFour = { ...record, format: 'omov-election-record/4' } as ElectionRecord;
  expect(failing(verifyRecord(asFour).checks)).toContain('count: question 1 "City"');
});
