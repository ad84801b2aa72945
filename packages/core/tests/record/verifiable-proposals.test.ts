import {
  type ArchiveEntry,
  chainEvent,
  type EventType,
  writeArchive,
  writeCredentialList,
  writeSetup,
} from '../../src/crypto/archive';
import { encryptBallot, type Plaintext } from '../../src/crypto/ballot';
import { generateCredential, generateToken, publicCredential } from '../../src/crypto/credential';
import { makeElection } from '../../src/crypto/election';
import { groupNamed } from '../../src/crypto/group';
import {
  computeResult,
  encryptedTally,
  partialDecrypt,
  writeEncryptedTally,
  writeOwned,
  writePartialDecryption,
  writeResult,
  writeSizedEncryptedTally,
} from '../../src/crypto/tally';
import { electionPublicKey, generateTrusteeKey, type Trustee, writeTrustees } from '../../src/crypto/trustee';
import { verifyArchive } from '../../src/crypto/verify-archive';
import type { AuditEntry } from '../../src/domain/audit';
import { type Question, YES_NO_OPTIONS } from '../../src/domain/ballot';
import { CASE_AGAINST_TITLE } from '../../src/domain/proposals';
import { methodOf } from '../../src/methods/index';
import {
  pooledSupport,
  type RecordProposal,
  type RecordProposalCore,
  textHashOf,
  wordingHashOf,
} from '../../src/record/proposals';
import { storedResults } from '../../src/record/record';
import {
  buildVerifiableRecord,
  type VerifiableMode,
  type VerifiableRecord,
  verifiableResults,
} from '../../src/record/verifiable';
import { verifyRecord } from '../../src/record/verify';
import { seededRandom } from '../crypto/support';
import { rechain } from './support';

/**
 * A verifiable ballot's record with a member proposal on it (docs/election-record.md): the
 * record carries the same proposals section as an office ballot's, and `omov verify` runs the
 * checks of proposals and statements (V21, V22) on it as on an office ballot's record, beside
 * the archive's (V18, V9.n, V19). A real Belenios archive (one trustee, four ballots) holds the
 * votes; the log is hash-chained, so every check of the record passes untouched, and each
 * tampering with the section or the log's statements fails, naming what differs.
 */
const G = groupNamed('RFC-3526-2048');
const random = seededRandom('verifiable proposals record');
const BALLOT = 'b1';
const MOTION = 'Conference elects the general secretary every three years.';
const FOR = 'Three years is long enough.';
const AGAINST = 'Elections cost what the branches need.';
const ACCOUNTS_FOR = 'The accounts are in order.';
const RULES = { sharePercent: null, minBranches: 3, combine: 'either', windowDays: 42, scheduleDays: 30, k: 2 };
const NEEDS = { supporters: null, branches: 3, combine: 'either' as const };
const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d, 10)).toISOString();
const yesNo = (prefix: string) => YES_NO_OPTIONS.map((o, i) => ({ id: `${prefix}${i}`, position: i, ...o }));

const questions = [
  {
    id: 'q1',
    position: 0,
    title: 'Elect the secretary',
    description: MOTION,
    method: 'yesno',
    settings: methodOf('yesno').settings.parse({}),
    options: yesNo('m'),
  },
  {
    id: 'q2',
    position: 1,
    title: 'Adopt the accounts?',
    description: '',
    method: 'yesno',
    settings: methodOf('yesno').settings.parse({}),
    options: yesNo('a'),
  },
] as Question[];

function proposal(
  id: string,
  kind: RecordProposalCore['kind'],
  title: string,
  text: string,
  counts: Array<[string, number]>,
): RecordProposalCore {
  const wording = { kind, title, text, options: null };
  return {
    id,
    ...wording,
    wordingHash: wordingHashOf(wording),
    rules: 'r1',
    needs: NEEDS,
    startedAt: day(0),
    closesAt: day(42),
    qualifiedAt: day(3),
    support: pooledSupport(
      counts.map(([branch, supporters]) => ({ branch, supporters })),
      2,
    ),
  };
}

/** The Belenios archive of four ballots on the two questions, decrypted by its one trustee; and its facts. */
function archive() {
  const key = generateTrusteeKey(G, random);
  const trustees: Trustee[] = [{ kind: 'Single', key: key.publicKey }];
  const election = makeElection(
    {
      uuid: generateToken(random),
      name: 'Rules ballot',
      description: '',
      questions: questions.map((q) => ({
        question: q.title,
        answers: q.options.map((o) => o.label),
        min: 1,
        max: 1,
        blank: true,
      })),
    },
    G,
    electionPublicKey(G, trustees),
  );
  // The motion: 3 yes, 1 no; the accounts: 2 yes, 1 no, 1 blank.
  const votes: Plaintext[] = [
    [
      [0, 1, 0],
      [0, 1, 0],
    ],
    [
      [0, 1, 0],
      [0, 1, 0],
    ],
    [
      [0, 1, 0],
      [0, 0, 1],
    ],
    [
      [0, 0, 1],
      [1, 0, 0],
    ],
  ];
  const credentials = votes.map(() => generateCredential(random));
  const cast = votes.map((v, i) => encryptBallot(election, credentials[i]!, v, random));
  const tally = encryptedTally(
    election,
    cast.map((b) => ({ ballot: b.ballot, weight: 1n })),
  );
  const pd = partialDecrypt(election, tally, key.privateKey, random);
  const result = computeResult(election, tally, 4n, trustees, [{ owner: 1, partialDecryption: pd }]);
  const entries: ArchiveEntry[] = [];
  let parent: string | undefined;
  const add = (type: EventType, data: string[], payload = data[data.length - 1]) => {
    const e = chainEvent(parent, entries.length, type, payload);
    entries.push({ event: e.text, data });
    parent = e.hash;
  };
  const trusteesText = writeTrustees(trustees);
  const credentialsText = writeCredentialList(
    credentials.map((c) => ({ credential: publicCredential(G, election.uuid, c), weight: 1n })),
  );
  add('Setup', [election.raw, trusteesText, credentialsText, writeSetup(election.raw, trusteesText, credentialsText)]);
  for (const b of cast) add('Ballot', [b.text]);
  add('EndBallots', []);
  const tallyText = writeEncryptedTally(tally);
  add('EncryptedTally', [tallyText, writeSizedEncryptedTally(4, 4n, tallyText)]);
  const pdText = writePartialDecryption(pd);
  add('PartialDecryption', [pdText, writeOwned(1, pdText)]);
  add('Result', [writeResult(result)]);
  const bytes = writeArchive(1_700_000_000, entries);
  const facts = verifyArchive(bytes).facts!;
  return { fileName: `${election.uuid}.bel`, bytes, result, facts };
}

/** A hash-chained log of the organisation, from the proposal's rules to the ballot's result. */
function chained(entries: Array<Pick<AuditEntry, 'action' | 'subject' | 'details'> & { at?: string }>): AuditEntry[] {
  const log = entries.map((e): AuditEntry => ({
    organisationId: 'o1',
    position: 0,
    at: e.at ?? day(0),
    actor: 'system:test',
    action: e.action,
    subject: e.subject,
    details: e.details,
    prevHash: '',
    hash: '',
  }));
  rechain(log);
  return log;
}

function fixture(): VerifiableRecord {
  const a = archive();
  const motion = proposal('p1', 'motion', 'Elect the secretary', MOTION, [
    ['North', 3],
    ['South', 1],
    ['East', 1],
  ]);
  const against = proposal('c1', 'against', CASE_AGAINST_TITLE, AGAINST, [
    ['North', 1],
    ['South', 1],
    ['East', 1],
  ]);
  const scheduleBy = day(33);
  const qualify = (p: RecordProposalCore, by: string | null) => ({
    action: 'proposal.qualify',
    subject: p.id,
    at: p.qualifiedAt,
    details: {
      supporters: p.support!.supporters,
      branches: p.support!.branches,
      k: 2,
      byBranch: p.support!.byBranch,
      qualifiedAt: p.qualifiedAt,
      scheduleBy: by,
    },
  });
  const results = verifiableResults(BALLOT, questions, a.result, a.facts.credentials);
  const resultsHash = storedResults(results).hash;
  const auditLog = chained([
    { action: 'proposal-rules.set', subject: 'r1', details: { before: null, after: RULES } },
    {
      action: 'proposal.start',
      subject: 'p1',
      details: { title: motion.title, wordingHash: motion.wordingHash, rules: 'r1', needs: NEEDS },
    },
    {
      action: 'proposal.start',
      subject: 'c1',
      details: {
        title: against.title,
        wordingHash: against.wordingHash,
        rules: 'r1',
        needs: NEEDS,
        against: 'p1',
        textHash: textHashOf(AGAINST),
      },
    },
    qualify(motion, scheduleBy),
    qualify(against, null),
    { action: 'proposal.case-for', subject: 'p1', details: { textHash: textHashOf(FOR) } },
    {
      action: 'proposal.schedule',
      subject: 'p1',
      at: day(20),
      details: { ballotId: BALLOT, position: 0, wordingHash: motion.wordingHash, scheduledAt: day(20) },
    },
    {
      action: 'ballot.open',
      subject: BALLOT,
      at: day(21),
      details: { election: a.facts.electionHash, credentials: a.facts.credentialsHash, setupEvent: a.facts.setupEvent },
    },
    {
      action: 'ballot.statements',
      subject: BALLOT,
      at: day(21),
      details: {
        statements: [
          { questionId: 'q1', side: 'for', author: 'proposers', textHash: textHashOf(FOR) },
          { questionId: 'q1', side: 'against', author: 'members', textHash: textHashOf(AGAINST), caseAgainst: 'c1' },
          { questionId: 'q2', side: 'for', author: 'office', textHash: textHashOf(ACCOUNTS_FOR) },
        ],
      },
    },
    {
      action: 'ballot.close',
      subject: BALLOT,
      at: day(28),
      details: { head: a.facts.tallyEvent, counted: a.facts.voters },
    },
    {
      action: 'ballot.result',
      subject: BALLOT,
      at: day(28),
      details: { result: a.facts.resultHash, resultsHash },
    },
  ]);
  const section: RecordProposal[] = [
    {
      ...motion,
      kind: 'motion',
      questionId: 'q1',
      scheduleBy,
      scheduledAt: day(20),
      late: false,
      amendmentsCloseAt: null,
      amendments: [],
      statements: {
        for: { author: 'proposers', text: FOR, textHash: textHashOf(FOR) },
        against: { author: 'members', text: AGAINST, textHash: textHashOf(AGAINST), proposal: against },
      },
    },
  ];
  const mode: VerifiableMode = {
    kind: 'verifiable',
    trustees: 1,
    threshold: 1,
    credentialAuthority: 'Cara',
    revoting: true,
  };
  return buildVerifiableRecord({
    ballot: {
      id: BALLOT,
      title: 'Rules ballot',
      description: '',
      opensAt: day(21),
      closesAt: day(28),
      timeZone: 'UTC',
      openedAt: day(21),
      closedAt: day(28),
      k: 2,
      receiptPolicy: 'inclusion',
      voterListVisible: false,
      questions,
      delegates: null,
      mode,
    },
    archive: { fileName: a.fileName, bytes: a.bytes },
    results,
    resultsHash,
    auditLog,
    proposals: section,
  });
}

let record: VerifiableRecord;
beforeAll(() => {
  record = fixture();
}, 300_000);

const check = (r: unknown, id: string) => verifyRecord(r).checks.find((c) => c.id === id);
/** The record changed by `change` fails check `id`, with a problem matching `problem`. */
function failsWith(
  id: string,
  change: (r: VerifiableRecord & { proposals: RecordProposal[] }) => void,
  problem: RegExp,
) {
  const r = structuredClone(record) as VerifiableRecord & { proposals: RecordProposal[] };
  change(r);
  const c = check(r, id)!;
  expect(c.verdict).toBe('FAIL');
  expect(c.problems.join('\n')).toMatch(problem);
}
/** A log entry's details changed, and the chain rehashed from it on (V10 then holds). */
function rewrite(r: VerifiableRecord, find: (e: AuditEntry) => boolean, change: (d: Record<string, unknown>) => void) {
  const at = r.auditLog.findIndex(find);
  change(r.auditLog[at]!.details);
  rechain(r.auditLog, at);
}

test("a verifiable ballot's record carries the proposals section, and omov verify runs V21 and V22 on it", () => {
  expect(record.proposals).toHaveLength(1);
  const v = verifyRecord(record);
  expect(v.checks.filter((c) => c.verdict === 'FAIL')).toEqual([]);
  expect(v.ok).toBe(true);
  // The archive's checks and the proposals' alike; no election with nominations is on it, so no V20.
  expect(v.checks.map((c) => c.id)).toEqual(['V1', 'V18', 'V8', 'V9.1', 'V9.2', 'V10', 'V19', 'V21', 'V22']);
  expect(check(record, 'V9.1')!.summary).toMatch(/elected: Yes/);
  expect(check(record, 'V21')!.summary).toMatch(
    /^1 member proposal on the ballot word for word, each qualified by its threshold; 1 members' case against on it as qualified/,
  );
  expect(check(record, 'V22')!.summary).toMatch(/^1 member proposal and 0 amendments as the log has them/);
});

test('a verifiable record without proposals takes no check of them', () => {
  const { proposals: _, ...r } = structuredClone(record);
  r.auditLog = r.auditLog.filter((e) => !e.action.startsWith('proposal') && e.action !== 'ballot.statements');
  rechain(r.auditLog);
  const v = verifyRecord(r);
  expect(v.ok).toBe(true);
  expect(v.checks.map((c) => c.id)).not.toEqual(expect.arrayContaining(['V21']));
  expect(v.checks.map((c) => c.id)).not.toEqual(expect.arrayContaining(['V22']));
});

test("tampering with a verifiable record's proposals fails V21 or V22, naming what differs", () => {
  // A statement's hash altered.
  failsWith(
    'V22',
    (r) => {
      r.proposals[0]!.statements.for!.textHash = textHashOf('A softer case for.');
    },
    /the case for: its text does not hash to its textHash/,
  );
  // The statement changed with its hash: not the one the proposers wrote, nor the one on the ballot at its open.
  failsWith(
    'V22',
    (r) => {
      const s = r.proposals[0]!.statements.for!;
      s.text = 'A softer case for.';
      s.textHash = textHashOf(s.text);
    },
    /the case for is not the one its proposers last wrote[\s\S]*the case for is not the one on the ballot when it opened/,
  );
  // The log's statements fixed at the open, rewritten (the chain rehashed).
  failsWith(
    'V22',
    (r) =>
      rewrite(
        r,
        (e) => e.action === 'ballot.statements',
        (d) => {
          (d.statements as Array<{ side: string; textHash: string }>)[1]!.textHash = textHashOf('Another case.');
        },
      ),
    /the case against is not the one on the ballot when it opened/,
  );
  // A support count altered.
  failsWith(
    'V22',
    (r) => {
      r.proposals[0]!.support!.supporters = 6;
    },
    /its support \(6 supporters in 3 branches\) is not what it qualified with \(entry \d+: 5 in 3\)[\s\S]*adds up to 5 supporters, not the 6 stated/,
  );
  // The proposal removed: the section cut out, or emptied.
  failsWith(
    'V22',
    (r) => {
      delete (r as Partial<typeof r>).proposals;
    },
    /the record has no proposals section, but a member proposal was scheduled on this ballot/,
  );
  failsWith(
    'V22',
    (r) => {
      r.proposals = [];
    },
    /proposal p1: scheduled on this ballot \(entry 7\), missing from the proposals section/,
  );
  // The motion's question reworded on the ballot: V21 and V22 both see it.
  failsWith(
    'V21',
    (r) => {
      r.ballot.questions[0]!.description = 'Conference elects the general secretary every four years.';
    },
    /proposal p1: no question of the ballot is its wording unchanged/,
  );
  failsWith(
    'V22',
    (r) => {
      r.ballot.questions[0]!.description = 'Conference elects the general secretary every four years.';
    },
    /question 1 "Elect the secretary": its text is not the proposal's/,
  );
  // A malformed section is V1's.
  const malformed = { ...structuredClone(record), proposals: [{ id: 'p1' }] };
  const v = verifyRecord(malformed);
  expect(v.malformed).toBe(true);
  expect(v.checks[0]).toMatchObject({
    id: 'V1',
    verdict: 'FAIL',
    problems: expect.arrayContaining([expect.stringMatching(/^proposals\.0\./)]),
  });
});

test("a log that puts an election's candidates on a verifiable ballot takes V20 as an office ballot's does", () => {
  // The log says the election was scheduled onto this ballot (with its entry at the end, the
  // chain rehashed), but no election was set and the ballot has no STV question of its candidates.
  const r = structuredClone(record);
  r.auditLog.push({
    ...r.auditLog.at(-1)!,
    action: 'election.schedule',
    subject: 'e1',
    details: { ballotId: BALLOT, orderSeed: 'seed', nominees: [], candidates: [] },
  });
  rechain(r.auditLog);
  const v = verifyRecord(r);
  expect(v.checks.find((c) => c.id === 'V10')).toMatchObject({ verdict: 'PASS' });
  expect(v.checks.find((c) => c.id === 'V20')).toMatchObject({
    verdict: 'FAIL',
    problems: ['election e1: the log has no entry setting the election, or none committing its candidates'],
  });
});
