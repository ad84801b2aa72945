/**
 * `omov vote`: a member's side of a verifiable ballot (docs/verifiable.md) from the command
 * line. It fetches the election's parameters, encrypts the answers and signs them with the
 * member's private credential on this computer (the server never sees either), then casts
 * the ballot, or writes it to a file to cast later or elsewhere, and prints its smart ballot
 * tracker, to look for on the ballot's public board. `omov verify-ballot-audit` checks a
 * ballot the voting page revealed instead of casting (the Benaloh challenge).
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { checkBallotAudit, describePlaintext, parseBallotAudit } from '@omov/core/crypto/audit';
import { encryptBallot, type Plaintext } from '@omov/core/crypto/ballot';
import { isCredential } from '@omov/core/crypto/credential';
import { type Election, parseElection, type Question } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { questionGroups, scorePlaintext } from '@omov/core/crypto/score';
import { InputError } from '../errors';
import { asInput } from '../files';

/**
 * One answer per question, separated by ";": "blank", or the numbers (from 1, in the
 * order election.json lists them) of the answers chosen, separated by ",". "1;2,3" chooses
 * the first answer of question 1, and the second and third of question 2. For a ranked
 * (non-homomorphic) question, the numbers are the answers in order of preference: "3,1"
 * ranks the third answer first and the first second, and leaves the others unranked. A
 * score question (its options' questions, crypto/score.ts, taken together) takes the
 * scores, one per option in order: "3,0,5"; or "blank" to abstain on it.
 */
export function plaintextOf(election: Election, answers: string): Plaintext {
  const parts = answers.split(';').map((p) => p.trim());
  const groups = questionGroups(election.questions);
  if (parts.length !== groups.length)
    throw new InputError(`--answers: ${groups.length} answers separated by ";" are expected, one per question`);
  return parts.flatMap((part, g) => {
    const group = groups[g]!;
    if (group.kind === 'score') {
      const where = `--answers: question ${g + 1} ("${group.title}", a score for each of its ${group.labels.length} options)`;
      if (part === 'blank') return scorePlaintext(null, group.labels.length, group.maxScore);
      const scores = part.split(',').map((n) => (n.trim() === '' ? NaN : Number(n.trim())));
      if (scores.length !== group.labels.length)
        throw new InputError(`${where}: give ${group.labels.length} scores separated by ",", or "blank"`);
      if (scores.some((n) => !Number.isInteger(n) || n < 0 || n > group.maxScore))
        throw new InputError(`${where}: scores go from 0 to ${group.maxScore}`);
      return scorePlaintext(scores, group.labels.length, group.maxScore);
    }
    const i = group.index;
    const q: Question = election.questions[i]!;
    const where = `--answers: question ${g + 1} ("${q.question}")`;
    if (q.nonHomomorphic) {
      const order = part === '' || part === 'blank' ? [] : part.split(',').map((n) => Number(n.trim()));
      if (order.some((n) => !Number.isInteger(n) || n < 1 || n > q.answers.length))
        throw new InputError(`${where}: answers are numbered 1 to ${q.answers.length}`);
      if (new Set(order).size !== order.length) throw new InputError(`${where}: an answer is ranked twice`);
      return [q.answers.map((_, j) => order.indexOf(j + 1) + 1)];
    }
    if (part === 'blank') {
      if (!q.blank) throw new InputError(`${where}: a blank vote is not allowed`);
      return [[1, ...q.answers.map(() => 0)]];
    }
    const chosen = part === '' ? [] : part.split(',').map((n) => Number(n.trim()));
    if (chosen.some((n) => !Number.isInteger(n) || n < 1 || n > q.answers.length))
      throw new InputError(`${where}: answers are numbered 1 to ${q.answers.length}`);
    if (new Set(chosen).size !== chosen.length) throw new InputError(`${where}: an answer is chosen twice`);
    if (chosen.length < q.min || chosen.length > q.max)
      throw new InputError(`${where}: choose from ${q.min} to ${q.max} answers${q.blank ? ', or "blank"' : ''}`);
    const marks = q.answers.map((_, j) => (chosen.includes(j + 1) ? 1 : 0));
    return [q.blank ? [0, ...marks] : marks];
  });
}

const base = (server: string, ballot: string) =>
  `${server.replace(/\/+$/, '')}/api/v1/ballots/${encodeURIComponent(ballot)}`;

async function fetchElection(server: string, ballot: string): Promise<Election> {
  let r: Response;
  try {
    r = await fetch(`${base(server, ballot)}/election.json`);
  } catch (err) {
    throw new InputError(`cannot reach ${server}: ${(err as Error).message}`);
  }
  if (!r.ok) throw new InputError(`${server} has no open verifiable ballot ${ballot} (HTTP ${r.status})`);
  const text = await r.text();
  return asInput(() => parseElection(text));
}

export function register(program: Command): void {
  program
    .command('vote')
    .description(
      'Vote in a verifiable ballot: encrypts and signs your answers here, casts the ballot, and prints its tracker',
    )
    .requiredOption('--server <url>', "the omov server's address, e.g. https://vote.example.org")
    .requiredOption('--ballot <id>', "the ballot's id")
    .requiredOption('--credential <credential>', 'your private credential, from the credential authority')
    .requiredOption(
      '--answers <answers>',
      'e.g. "1;2,3;4,0,2": per question, the numbers of the answers chosen (for a score question, its options\' scores), or "blank"',
    )
    .option('--out <file>', 'write the ballot to this new file instead of casting it')
    .action(async (flags: { server: string; ballot: string; credential: string; answers: string; out?: string }) => {
      if (!isCredential(flags.credential))
        throw new InputError('--credential: not a credential (as the credential authority sent it)');
      const election = await fetchElection(flags.server, flags.ballot);
      const plaintext = plaintextOf(election, flags.answers);
      const ballot = asInput(() => encryptBallot(election, flags.credential, plaintext, systemRandom));
      if (flags.out) {
        try {
          await fs.writeFile(flags.out, `${ballot.text}\n`, { flag: 'wx' });
        } catch {
          throw new InputError(`cannot write ${flags.out} (it may exist already)`);
        }
        process.stdout.write(`${ballot.tracker}\n`);
        process.stderr.write(`Ballot written to ${flags.out}, not cast. Its tracker is above.\n`);
        return;
      }
      const r = await fetch(`${base(flags.server, flags.ballot)}/verifiable-ballots`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: ballot.text,
      });
      const answer = (await r.json().catch(() => ({}))) as { tracker?: string; replaced?: boolean; detail?: string };
      if (!r.ok || answer.tracker !== ballot.tracker) {
        process.stderr.write(`omov: the ballot was not cast: ${answer.detail ?? `HTTP ${r.status}`}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${ballot.tracker}\n`);
      process.stderr.write(
        `Cast. Look for your tracker on the ballot's board${answer.replaced ? '; your earlier ballot no longer counts' : ''}.\n`,
      );
    });

  program
    .command('verify-ballot-audit')
    .description(
      'Check a ballot the voting page audited instead of casting: it encrypts what the page said, with the randomness it revealed',
    )
    .argument('<file>', 'the audit file the voting page offered to save')
    .option('--election <file>', "the election's parameters (election.json), if you have them")
    .option('--server <url>', 'or fetch them from this omov server…')
    .option('--ballot <id>', "…for this ballot's id")
    .action(async (file: string, flags: { election?: string; server?: string; ballot?: string }) => {
      let election: Election;
      if (flags.election) {
        const text = await fs.readFile(flags.election, 'utf8').catch(() => {
          throw new InputError(`cannot read ${flags.election}`);
        });
        election = asInput(() => parseElection(text.trim()));
      } else if (flags.server && flags.ballot) election = await fetchElection(flags.server, flags.ballot);
      else throw new InputError('give --election FILE, or --server URL and --ballot ID');
      const text = await fs.readFile(file, 'utf8').catch(() => {
        throw new InputError(`cannot read ${file}`);
      });
      const audit = asInput(() => parseBallotAudit(text));
      const checked = checkBallotAudit(election, audit);
      if (!checked.ok) {
        process.stderr.write(`omov: the audit FAILS: ${checked.reason}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `The audit holds: ballot ${checked.tracker} encrypts\n${describePlaintext(election, checked.plaintext)
          .map((l) => `  ${l}\n`)
          .join('')}It must not be cast (its secrecy is gone).\n`,
      );
    });
}
