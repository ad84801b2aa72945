import fs from 'node:fs';
import path from 'node:path';
import { checkBallot, parseBallot } from '../../src/crypto/ballot';
import { parseElection } from '../../src/crypto/election';
import {
  computeResult,
  encryptedTally,
  parsePartialDecryption,
  writeEncryptedTally,
  writeResult,
} from '../../src/crypto/tally';
import { checkTrustees, electionPublicKey, parseTrustees, writeTrustees } from '../../src/crypto/trustee';
import { belenios, requireBeleniosTool, tempDir } from './support';

/**
 * Threshold trustees from belenios-tool 2.0: three trustees run Pedersen's key generation
 * (any two can decrypt) beside one mandatory key; two of the three decrypt. omov's code
 * checks the trustees' certificates, commitments and verification keys, every share, and
 * combines the shares to belenios-tool's result.
 */
let dir: string;
beforeAll(() => {
  requireBeleniosTool();
  dir = tempDir('belenios-threshold');
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('threshold trustees from belenios-tool: checked, and any two of three decrypt to belenios-tool’s result', () => {
  const run = (args: string[], input?: string) => belenios(dir, args, input);
  const uuid = run(['setup', 'generate-token']).trim();
  const group = ['--group', 'BELENIOS-2048'];
  run(['setup', 'generate-credentials', '--uuid', uuid, ...group, '--count', '3']);
  const file = (suffix: string) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(suffix))
      .sort();
  fs.renameSync(path.join(dir, file('.pubcreds')[0]!), path.join(dir, 'public_creds.json'));
  const creds = fs
    .readFileSync(path.join(dir, file('.privcreds')[0]!), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[1]!);

  const keygen = (...args: string[]) => run(['setup', 'generate-trustee-key-threshold', ...group, ...args]);
  for (let i = 0; i < 3; i++) keygen('--step', '1');
  fs.writeFileSync(
    path.join(dir, 'certs.jsons'),
    file('.cert')
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join(''),
  );
  keygen('--certs', 'certs.jsons', '--step', '2');
  const keys = file('.key');
  fs.writeFileSync(
    path.join(dir, 'polynomials.jsons'),
    keys.map((k) => keygen('--certs', 'certs.jsons', '--key', k, '--step', '3', '--threshold', '2')).join(''),
  );
  keygen('--certs', 'certs.jsons', '--step', '4', '--polynomials', 'polynomials.jsons');
  const voutputs = keys.map((k) =>
    run(
      ['setup', 'generate-trustee-key-threshold', ...group, '--certs', 'certs.jsons', '--key', k, '--step', '5'],
      fs.readFileSync(path.join(dir, k.replace(/\.key$/, '.vinput')), 'utf8'),
    ),
  );
  fs.writeFileSync(
    path.join(dir, 'threshold.json'),
    run(
      [
        'setup',
        'generate-trustee-key-threshold',
        ...group,
        '--certs',
        'certs.jsons',
        '--step',
        '6',
        '--polynomials',
        'polynomials.jsons',
      ],
      voutputs.join(''),
    ),
  );
  run(['setup', 'generate-trustee-key', ...group]);
  fs.writeFileSync(path.join(dir, 'public_keys.jsons'), fs.readFileSync(path.join(dir, file('.pubkey')[0]!), 'utf8'));
  run(['setup', 'make-trustees']);
  fs.writeFileSync(
    path.join(dir, 'questions.json'),
    JSON.stringify({
      description: '',
      name: 'threshold',
      questions: [{ answers: ['Yes', 'No'], min: 1, max: 1, question: 'Agree?' }],
    }),
  );
  run(['setup', 'make-election', '--uuid', uuid, ...group, '--template', 'questions.json']);

  // The file ends with a newline, which is not part of the election's text (nor of its fingerprint).
  const election = parseElection(fs.readFileSync(path.join(dir, 'election.json'), 'utf8').replace(/\n$/, ''));
  const trusteesText = fs.readFileSync(path.join(dir, 'trustees.json'), 'utf8').trim();
  const trustees = parseTrustees(trusteesText);
  expect(trustees.map((t) => t.kind)).toEqual(['Single', 'Pedersen']);
  expect(writeTrustees(trustees)).toBe(trusteesText);
  expect(checkTrustees(election.group, trustees)).toBe(true);
  expect(electionPublicKey(election.group, trustees)).toBe(election.publicKey);
  // Verification keys out of order, or a commitment signed by nobody, are caught.
  const pedersen = trustees[1]!;
  if (pedersen.kind !== 'Pedersen') throw new Error('unreachable');
  const [v1, v2, v3] = pedersen.verificationKeys;
  expect(checkTrustees(election.group, [trustees[0]!, { ...pedersen, verificationKeys: [v2!, v1!, v3!] }])).toBe(false);
  const [c1, c2, c3] = pedersen.coefexps;
  expect(checkTrustees(election.group, [trustees[0]!, { ...pedersen, coefexps: [c2!, c1!, c3!] }])).toBe(false);

  run(['archive', 'init']);
  const votes = [[[1, 0]], [[0, 1]], [[1, 0]]];
  const ballots = creds.map((cred, i) => {
    fs.writeFileSync(path.join(dir, 'cred.txt'), cred);
    fs.writeFileSync(path.join(dir, 'vote.json'), JSON.stringify(votes[i]));
    const text = run(['election', 'generate-ballot', '--privcred', 'cred.txt', '--ballot', 'vote.json']).trim();
    expect(checkBallot(election, text).ok).toBe(true);
    run(['archive', 'add-event', '--type=Ballot'], text);
    return parseBallot(text);
  });
  run(['archive', 'add-event', '--type=EndBallots']);
  const tallyOutput = run(['election', 'compute-encrypted-tally']);
  const tally = encryptedTally(
    election,
    ballots.map((ballot) => ({ ballot, weight: 1n })),
  );
  expect(tallyOutput.split('\n')[0]).toBe(writeEncryptedTally(tally));
  run(['archive', 'add-event', '--type=EncryptedTally'], tallyOutput);

  // The mandatory trustee is number 1; the threshold trustees 2, 3, 4. Trustees 2 and 4 decrypt.
  const shares = [
    { owner: 1, text: run(['election', 'decrypt', '--privkey', file('.privkey')[0]!, '--trustee-id', '1']) },
    ...[0, 2].map((k) => ({
      owner: k + 2,
      text: run([
        'election',
        'decrypt-threshold',
        '--key',
        keys[k]!,
        '--decryption-key',
        keys[k]!.replace(/\.key$/, '.dkey'),
        '--trustee-id',
        String(k + 2),
      ]),
    })),
  ];
  for (const s of shares) run(['archive', 'add-event', '--type=PartialDecryption'], s.text);
  const owned = shares.map((s) => ({
    owner: s.owner,
    partialDecryption: parsePartialDecryption(s.text.split('\n')[0]!),
  }));
  const result = computeResult(election, tally, 3n, trustees, owned);
  expect(result).toEqual([[2n, 1n]]);
  const toolResult = run(['election', 'compute-result']).trim();
  expect(writeResult(result)).toBe(toolResult);
  run(['archive', 'add-event', '--type=Result'], toolResult);
  run(['election', 'verify']);

  expect(() => computeResult(election, tally, 3n, trustees, owned.slice(0, 2))).toThrow(
    '2 of the threshold trustees must decrypt; 1 did',
  );
  // A share presented as another threshold trustee's is named.
  expect(() =>
    computeResult(election, tally, 3n, trustees, [owned[0]!, { ...owned[1]!, owner: 3 }, owned[2]!]),
  ).toThrow('the partial decryption of trustee 3 does not verify');
}, 300_000);
