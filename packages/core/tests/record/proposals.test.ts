import type { AuditEntry } from '../../src/domain/audit';
import type { Question } from '../../src/domain/ballot';
import { VARIANT_WORDS } from '../../src/domain/proposals';
import {
  pooledSupport,
  proposalSectionProblems,
  type RecordProposal,
  type RecordProposalCore,
  textHashOf,
  wordingHashOf,
} from '../../src/record/proposals';

/**
 * Check V22 (docs/election-record.md, "proposals"): the record's proposals section against
 * the audit log and the ballot's questions, on a hand-made ballot: an amended motion with a
 * members' case against (two qualified; the first stands) and a question with options. The
 * untouched section passes; each change fails naming what differs; a record made before the
 * section was kept is not checked, unless its log says the server kept one.
 */

const BALLOT = 'b1';
const RULES = { sharePercent: null, minBranches: 2, combine: 'either', windowDays: 42, scheduleDays: 30, k: 2 };
const NEEDS = { supporters: null, branches: 2, combine: 'either' as const };
const MOTION = 'Conference elects the general secretary every three years.';
const AMENDED = 'Conference elects the general secretary every two years.';
const FOR = 'Three years is long enough.';
const AGAINST = 'Elections cost too much.';

const day = (d: number, h = 10) => new Date(Date.UTC(2026, 0, 1 + d, h)).toISOString();

function core(
  id: string,
  kind: RecordProposalCore['kind'],
  title: string,
  text: string,
  options: string[] | null,
  counts: Array<[string, number]>,
  qualifiedDay: number,
): RecordProposalCore {
  const w = { kind, title, text, options };
  return {
    id,
    ...w,
    wordingHash: wordingHashOf(w),
    rules: 'r1',
    needs: NEEDS,
    startedAt: day(0),
    closesAt: day(42),
    qualifiedAt: day(qualifiedDay),
    support: pooledSupport(
      counts.map(([branch, supporters]) => ({ branch, supporters })),
      2,
    ),
  };
}

function fixture() {
  const motion = core(
    'p1',
    'motion',
    'Elect the secretary',
    MOTION,
    null,
    [
      ['North', 3],
      ['South', 1],
      ['East', 1],
    ],
    2,
  );
  const amendment = {
    ...core(
      'a1',
      'amendment',
      'Two years',
      AMENDED,
      null,
      [
        ['North', 1],
        ['South', 1],
      ],
      3,
    ),
    tabledBy: null,
  };
  const first = core(
    'c1',
    'against',
    'The case against',
    AGAINST,
    null,
    [
      ['East', 1],
      ['South', 1],
    ],
    4,
  );
  const second = core(
    'c2',
    'against',
    'The case against',
    'Another case against.',
    null,
    [
      ['East', 1],
      ['North', 1],
    ],
    5,
  );
  const question = core(
    'p2',
    'question',
    'Colour',
    'Which colour?',
    ['Red', 'Green'],
    [
      ['North', 2],
      ['South', 2],
    ],
    2,
  );

  const log: AuditEntry[] = [];
  const add = (action: string, subject: string, details: Record<string, unknown>, at = day(0)) =>
    log.push({
      organisationId: 'o1',
      position: log.length + 1,
      at,
      actor: 'system:test',
      action,
      subject,
      details,
      prevHash: '',
      hash: '',
    });
  add('proposal-rules.set', 'r1', { before: null, after: RULES });
  for (const p of [motion, question, amendment, first, second])
    add('proposal.start', p.id, {
      title: p.title,
      wordingHash: p.wordingHash,
      rules: 'r1',
      needs: NEEDS,
      ...(p.kind === 'amendment' ? { amends: 'p1' } : p.kind === 'against' ? { against: 'p1' } : {}),
    });
  const scheduleBy = (p: RecordProposalCore) =>
    p.kind === 'motion' || p.kind === 'question'
      ? new Date(Date.parse(p.qualifiedAt) + 44 * 86_400_000).toISOString()
      : null;
  for (const p of [motion, question, amendment, first, second])
    add(
      'proposal.qualify',
      p.id,
      {
        supporters: p.support!.supporters,
        branches: p.support!.branches,
        k: 2,
        byBranch: p.support!.byBranch,
        qualifiedAt: p.qualifiedAt,
        scheduleBy: scheduleBy(p),
      },
      p.qualifiedAt,
    );
  add('proposal.case-for', 'p1', { textHash: textHashOf('An earlier draft.') });
  add('proposal.case-for', 'p1', { textHash: textHashOf(FOR) });
  add(
    'proposal.schedule',
    'p1',
    {
      ballotId: BALLOT,
      wordingHash: motion.wordingHash,
      scheduledAt: day(20),
      amendments: [{ id: 'a1', wordingHash: amendment.wordingHash }],
    },
    day(20),
  );
  add(
    'proposal.schedule',
    'p2',
    { ballotId: BALLOT, wordingHash: question.wordingHash, scheduledAt: day(20) },
    day(20),
  );
  add('ballot.open', BALLOT, {});
  add('ballot.statements', BALLOT, {
    statements: [
      { questionId: 'q1', side: 'for', author: 'proposers', textHash: textHashOf(FOR) },
      { questionId: 'q1', side: 'against', author: 'members', textHash: textHashOf(AGAINST) },
    ],
  });

  const questions = [
    {
      id: 'q1',
      position: 0,
      title: 'Elect the secretary',
      description: MOTION,
      method: 'schulze',
      settings: { seats: 1, agenda: { original: 0, amendments: [1], rejection: 2, order: [1] } },
      options: [
        { id: 'o0', position: 0, label: VARIANT_WORDS.original, description: VARIANT_WORDS.originalDescription },
        { id: 'o1', position: 1, label: 'Amendment 1: Two years', description: AMENDED },
        { id: 'o2', position: 2, label: VARIANT_WORDS.rejection, description: VARIANT_WORDS.rejectionDescription },
      ],
    },
    {
      id: 'q2',
      position: 1,
      title: 'Colour',
      description: 'Which colour?',
      method: 'plurality',
      settings: {},
      options: [
        { id: 'o3', position: 0, label: 'Red', description: '' },
        { id: 'o4', position: 1, label: 'Green', description: '' },
      ],
    },
  ] as unknown as Question[];

  const section: RecordProposal[] = [
    {
      ...motion,
      kind: 'motion',
      questionId: 'q1',
      scheduleBy: scheduleBy(motion),
      scheduledAt: day(20),
      late: false,
      amendmentsCloseAt: day(16),
      amendments: [{ ...amendment, kind: 'amendment' }],
      statements: {
        for: { author: 'proposers', text: FOR, textHash: textHashOf(FOR) },
        against: { author: 'members', text: AGAINST, textHash: textHashOf(AGAINST), proposal: first },
      },
    },
    {
      ...question,
      kind: 'question',
      questionId: 'q2',
      scheduleBy: scheduleBy(question),
      scheduledAt: day(20),
      late: false,
      amendmentsCloseAt: null,
      amendments: [],
      statements: { for: null, against: null },
    },
  ];
  return { ballot: { id: BALLOT, questions }, log, section, second };
}

const problemsOf = (f: ReturnType<typeof fixture>) => proposalSectionProblems(f.ballot, f.log, f.section)!.problems;

test('pooledSupport pools the branches under k as results do, leaving out branches without supporters', () => {
  expect(
    pooledSupport(
      [
        { branch: 'North', supporters: 3 },
        { branch: 'South', supporters: 1 },
        { branch: 'East', supporters: 1 },
        { branch: 'West', supporters: 0 },
      ],
      2,
    ),
  ).toEqual({
    k: 2,
    supporters: 5,
    branches: 3,
    byBranch: [
      { name: 'North', branches: ['North'], supporters: 3, pooled: false },
      { name: 'Pooled: East, South', branches: ['East', 'South'], supporters: 2, pooled: true },
    ],
  });
  // A lone small branch takes in the smallest other one: no unit is left on its own.
  expect(
    pooledSupport(
      [
        { branch: 'North', supporters: 5 },
        { branch: 'South', supporters: 1 },
        { branch: 'East', supporters: 7 },
      ],
      3,
    ).byBranch,
  ).toEqual([
    { name: 'East', branches: ['East'], supporters: 7, pooled: false },
    { name: 'Pooled: North, South', branches: ['North', 'South'], supporters: 6, pooled: true },
  ]);
});

test('an untouched section passes', () => {
  const f = fixture();
  expect(proposalSectionProblems(f.ballot, f.log, f.section)).toEqual({ proposals: 2, amendments: 1, problems: [] });
});

test('a record made before the section was kept is not checked; one whose log says it was kept must have it', () => {
  const f = fixture();
  expect(proposalSectionProblems(f.ballot, f.log, undefined)!.problems).toEqual([
    'the record has no proposals section, but 2 member proposals were scheduled on this ballot by a server that keeps one',
  ]);
  for (const e of f.log) if (e.action === 'proposal.qualify') delete e.details.byBranch;
  expect(proposalSectionProblems(f.ballot, f.log, undefined)).toBeNull();
  // Nor does a ballot without member proposals get the check.
  expect(proposalSectionProblems({ id: 'other', questions: [] }, f.log, undefined)).toBeNull();
});

test.each<[string, (f: ReturnType<typeof fixture>) => void, RegExp]>([
  [
    'a pool under k while a branch is published on its own',
    (f) => {
      const s = f.section[0]!.support!;
      s.byBranch = [
        { name: 'North', branches: ['North'], supporters: 3, pooled: false },
        { name: 'Pooled: South', branches: ['South'], supporters: 1, pooled: true },
        { name: 'East', branches: ['East'], supporters: 1, pooled: false },
      ];
    },
    /branch East: 1 supporter, under k = 2, published on its own/,
  ],
  [
    'a pool that should have taken in a branch',
    (f) => {
      const s = f.section[0]!.support!;
      s.byBranch = [
        { name: 'North', branches: ['North'], supporters: 4, pooled: false },
        { name: 'Pooled: South', branches: ['South'], supporters: 1, pooled: true },
      ];
      s.branches = 2;
    },
    /its pool "Pooled: South" \(1 supporter in 1 branch\) should have taken in the smallest branch/,
  ],
  [
    "the second members' case against shown in place of the first",
    (f) => {
      const a = f.section[0]!.statements.against!;
      f.section[0]!.statements.against = {
        ...a,
        text: f.second.text,
        textHash: textHashOf(f.second.text),
        proposal: f.second,
      };
    },
    /the members' case against \(c2\): it is not the first to qualify: proposal c1 did/,
  ],
  [
    "a question's options in another order",
    (f) => {
      const o = f.ballot.questions[1]!.options;
      f.ballot.questions[1]!.options = [o[1]!, o[0]!];
    },
    /question 2 "Colour": its options \(Green, Red\) are not the proposal's/,
  ],
  [
    "an amendment's text on the ballot changed",
    (f) => {
      f.ballot.questions[0]!.options[1]!.description = 'Every year.';
    },
    /option 2 "Amendment 1: Two years" is not the text tabled/,
  ],
  [
    'a window longer than the rules give',
    (f) => {
      f.section[1]!.closesAt = day(50);
    },
    /proposal "Colour" \(p2\): its window .* is not within the 42 days its rules give/,
  ],
  [
    'a threshold the rules do not set, in the start entry and the section alike',
    (f) => {
      const both = { ...NEEDS, combine: 'both' as const };
      f.section[1]!.needs = both;
      f.log.find((e) => e.action === 'proposal.start' && e.subject === 'p2')!.details.needs = both;
    },
    /proposal "Colour" \(p2\): its threshold .* is not what its rules set/,
  ],
  [
    'support pooled under another k',
    (f) => {
      f.section[1]!.support!.k = 3;
    },
    /its support is pooled under k = 3, its rules' k is 2/,
  ],
  [
    'a proposal scheduled on the ballot left out',
    (f) => {
      f.section.pop();
    },
    /proposal p2: scheduled on this ballot \(entry \d+\), missing from the proposals section/,
  ],
  [
    'the amendments the schedule entry lists are not those of the section',
    (f) => {
      f.log.find((e) => e.action === 'proposal.schedule' && e.subject === 'p1')!.details.amendments = [];
    },
    /its amendments are not the ones scheduled with it, by their wording hashes/,
  ],
  [
    'a case for its proposers wrote earlier',
    (f) => {
      f.section[0]!.statements.for = {
        author: 'proposers',
        text: 'An earlier draft.',
        textHash: textHashOf('An earlier draft.'),
      };
    },
    /the case for is not the one its proposers last wrote/,
  ],
  [
    "the proposers' case for said to be the office's",
    (f) => {
      f.section[0]!.statements.for!.author = 'office';
    },
    /the case for is said to be written by the office, not its proposers/,
  ],
  [
    'scheduled after its date, said not late',
    (f) => {
      f.section[1]!.scheduledAt = day(60);
    },
    /it is said not to be late, but was scheduled/,
  ],
])('%s fails, naming it', (_, change, problem) => {
  const f = fixture();
  change(f);
  expect(problemsOf(f).join('\n')).toMatch(problem);
});
