import fs from 'node:fs';
import path from 'node:path';
import { belenios, requireBeleniosTool, tempDir } from './support';

/**
 * Why omov refuses, at the opening, a verifiable ballot that has a ranked question and a
 * member who does not weigh 1 (docs/verifiable.md, "Ranked questions on the server"): the
 * verifier this mode answers to, Debian's belenios-tool 2.0, cannot tally such an election at
 * all. With the same ballots and every member weighing 1 it can; with one credential weighing
 * 3 its encrypted tally fails on the non-homomorphic question. If a later belenios-tool
 * tallied it, this test would fail, and the refusal could be lifted.
 */

const QUESTIONS = {
  description: 'Weights and a ranked question',
  name: 'Weighted ranked',
  questions: [
    { answers: ['Yes', 'No'], min: 1, max: 1, question: 'Adopt?' },
    { type: 'NonHomomorphic', value: { answers: ['Ada', 'Ben', 'Cy'], question: 'Rank the candidates' } },
  ],
};

/** An election of three voters (the second weighing `weight`), each casting one ballot; the tally's outcome. */
function tallyWith(weight: number, questions: object): { ok: true } | { ok: false; error: string } {
  const dir = tempDir('belenios-weights');
  const uuid = belenios(dir, ['setup', 'generate-token']).trim();
  fs.writeFileSync(path.join(dir, 'voters.txt'), `a@x,a\nb@x,b${weight === 1 ? '' : `,${weight}`}\nc@x,c\n`);
  belenios(dir, ['setup', 'generate-credentials', '--uuid', uuid, '--group', 'RFC-3526-2048', '--file', 'voters.txt']);
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.pubcreds')) fs.renameSync(path.join(dir, f), path.join(dir, 'public_creds.json'));
    if (f.endsWith('.privcreds')) fs.renameSync(path.join(dir, f), path.join(dir, 'private_creds.txt'));
  }
  const credentials = fs.readFileSync(path.join(dir, 'private_creds.txt'), 'utf8').trim().split('\n');
  belenios(dir, ['setup', 'generate-trustee-key', '--group', 'RFC-3526-2048']);
  const pubkey = fs.readdirSync(dir).find((f) => f.endsWith('.pubkey'))!;
  fs.writeFileSync(path.join(dir, 'public_keys.jsons'), fs.readFileSync(path.join(dir, pubkey), 'utf8'));
  belenios(dir, ['setup', 'make-trustees']);
  fs.writeFileSync(path.join(dir, 'questions.json'), JSON.stringify(questions));
  belenios(dir, ['setup', 'make-election', '--uuid', uuid, '--group', 'RFC-3526-2048', '--template', 'questions.json']);
  belenios(dir, ['archive', 'init']);
  const ranked = questions === QUESTIONS;
  for (const line of credentials) {
    fs.writeFileSync(path.join(dir, 'cred.txt'), line.split(' ')[1]!);
    fs.writeFileSync(
      path.join(dir, 'vote.json'),
      JSON.stringify(
        ranked
          ? [
              [1, 0],
              [2, 1, 3],
            ]
          : [[1, 0]],
      ),
    );
    const ballot = belenios(dir, ['election', 'generate-ballot', '--privcred', 'cred.txt', '--ballot', 'vote.json']);
    belenios(dir, ['archive', 'add-event', '--type=Ballot'], ballot);
  }
  belenios(dir, ['archive', 'add-event', '--type=EndBallots']);
  try {
    belenios(dir, ['election', 'compute-encrypted-tally']);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

beforeAll(() => requireBeleniosTool());

test('belenios-tool 2.0 tallies a ranked question when every voter weighs 1', () => {
  expect(tallyWith(1, QUESTIONS)).toEqual({ ok: true });
});

test('belenios-tool 2.0 cannot tally a ranked question when a voter weighs 3, though it tallies weights without one', () => {
  const weighted = tallyWith(3, QUESTIONS);
  expect(weighted.ok).toBe(false);
  expect(weighted.ok === false && weighted.error).toMatch(/Question_nh/);
  // The weight alone is no problem: the same voters on the yes/no question alone are tallied.
  expect(tallyWith(3, { ...QUESTIONS, questions: [QUESTIONS.questions[0]] })).toEqual({ ok: true });
});
