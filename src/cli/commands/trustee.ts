/**
 * `omov trustee …`: a trustee's side of a verifiable ballot (docs/verifiable.md), offline, on
 * their own computer. Threshold keys in Pedersen's three steps (certificate, polynomial, key),
 * then the partial decryption of the encrypted tally. Secrets are written only to files the
 * trustee names, never printed; what is printed is public and is what they hand over.
 */
import { type Command, Option } from 'commander';
import {
  type Certificate,
  certificateFingerprint,
  combineShares,
  makeCertificate,
  makePolynomial,
  parseCertificate,
  parsePolynomial,
  parseTrusteeSecrets,
  type Polynomial,
  polynomialThreshold,
  positionOf,
  writePolynomial,
  writeTrusteeSecrets,
} from '@omov/core/crypto/dkg';
import { parseElection } from '@omov/core/crypto/election';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import {
  afterShuffles,
  mergeNonHomomorphic,
  nonHomomorphicCiphertexts,
  parseShuffle,
  type Shuffle,
} from '@omov/core/crypto/shuffle';
import { parseEncryptedTally, partialDecrypt } from '@omov/core/crypto/tally';
import { decryptPools, parseBranchTallies, writeTrusteeDecryption } from '@omov/core/crypto/branch-tally';
import { trusteeShuffle } from '@omov/core/crypto/pool-shuffle';
import {
  parseTrusteePrivateKey,
  writeSigned,
  writeTrusteePrivateKey,
  writeTrusteePublicKey,
} from '@omov/core/crypto/trustee';
import { InputError } from '../errors';
import { asInput, read, readList, writeSecret } from '../files';
import { type ServerFlags, type ServerLink, serverOf, serverOptions } from '../server';

const print = (text: string) => process.stdout.write(`${text}\n`);
const note = (text: string) => process.stderr.write(`${text}\n`);

const groupOption = () =>
  new Option(
    '--group <name>',
    "the group of the election (RFC-3526-2048 where it has a ranked question; BELENIOS-2048 otherwise; with --server, the server's)",
  ).choices(['BELENIOS-2048', 'RFC-3526-2048']);

export function register(program: Command): void {
  const trustee = program
    .command('trustee')
    .description("A trustee's steps for a verifiable ballot, offline: threshold keys, then the partial decryption");

  trustee
    .command('certificate')
    .description('Step 1: make your signing and encryption keys; prints your certificate (public) to hand over')
    .requiredOption('--secrets <file>', 'a new file for your secret keys (kept to step 3; never overwritten)')
    .addOption(groupOption())
    .addOption(serverOptions()[0]!)
    .addOption(serverOptions()[1]!)
    .action(async (flags: { secrets: string; group?: string } & ServerFlags) => {
      const server = await serverOf(flags);
      // The ballot's questions choose the group (a ranked one needs RFC-3526-2048): the server says which.
      const group = server ? (await taskOf(server)).group : (flags.group ?? 'BELENIOS-2048');
      if (flags.group && flags.group !== group)
        throw new InputError(`--group ${flags.group}: the server's ballot uses ${group}`);
      const { secrets, certificate } = makeCertificate(groupNamed(group), systemRandom);
      await writeSecret(flags.secrets, writeTrusteeSecrets(secrets));
      print(writeSigned(certificate));
      note(
        `Your certificate's fingerprint, to compare with the other trustees: ${certificateFingerprint(certificate)}`,
      );
      if (server) await send(server, 'certificate', writeSigned(certificate));
    });

  trustee
    .command('status')
    .description("Where the key generation stands on the server: your next step, and every certificate's fingerprint")
    .addOption(serverOptions()[0]!.makeOptionMandatory())
    .addOption(serverOptions()[1]!.makeOptionMandatory())
    .action(async (flags: ServerFlags) => {
      const task = await taskOf((await serverOf(flags))!);
      print(
        JSON.stringify(
          {
            ballot: task.title,
            position: task.position,
            trustees: task.trustees,
            threshold: task.threshold,
            next: task.next,
            fingerprints: task.certificates?.map(certificateFingerprint) ?? null,
            publicKey: task.publicKey,
          },
          null,
          2,
        ),
      );
    });

  trustee
    .command('polynomial')
    .description("Step 2: from every trustee's certificate, prints your polynomial: commitments and a share for each")
    .requiredOption('--secrets <file>', 'your secret keys from step 1')
    .option('--certificates <file>', "every trustee's certificate, as a JSON list, in the ballot's order")
    .option('--threshold <t>', 'how many trustees will be needed to decrypt', Number)
    .addOption(serverOptions()[0]!)
    .addOption(serverOptions()[1]!)
    .addOption(groupOption())
    .action(
      async (flags: { secrets: string; certificates?: string; threshold?: number; group?: string } & ServerFlags) => {
        const secrets = await readSecrets(flags.secrets);
        const server = await serverOf(flags);
        const task = server && (await taskOf(server));
        const G = groupNamed(task ? task.group : (flags.group ?? 'BELENIOS-2048'));
        const certificates = task
          ? ready(task.certificates, 'certificate')
          : await readList(need(flags.certificates, '--certificates'), 'certificates', parseCertificate);
        const threshold = task ? task.threshold : need(flags.threshold, '--threshold');
        const polynomial = asInput(() => makePolynomial(G, secrets, certificates, threshold, systemRandom));
        note(
          `You are trustee ${asInput(() => positionOf(G, certificates, secrets))} of ${certificates.length}; ${threshold} will be needed to decrypt.`,
        );
        print(writePolynomial(polynomial));
        if (server) await send(server, 'polynomial', writePolynomial(polynomial));
      },
    );

  trustee
    .command('key')
    .description(
      "Step 3: from every trustee's polynomial, checks the shares sent to you, writes your key share, and prints your verification key",
    )
    .requiredOption('--secrets <file>', 'your secret keys from step 1')
    .option('--certificates <file>', "every trustee's certificate, as a JSON list, in the ballot's order")
    .option('--polynomials <file>', "every trustee's polynomial, as a JSON list, in the same order")
    .requiredOption('--key-out <file>', 'a new file for your key share (kept until the count; never overwritten)')
    .addOption(serverOptions()[0]!)
    .addOption(serverOptions()[1]!)
    .addOption(groupOption())
    .action(
      async (
        flags: {
          secrets: string;
          certificates?: string;
          polynomials?: string;
          keyOut: string;
          group?: string;
        } & ServerFlags,
      ) => {
        const secrets = await readSecrets(flags.secrets);
        const server = await serverOf(flags);
        const task = server && (await taskOf(server));
        const G = groupNamed(task ? task.group : (flags.group ?? 'BELENIOS-2048'));
        const certificates = task
          ? ready(task.certificates, 'certificate')
          : await readList(need(flags.certificates, '--certificates'), 'certificates', parseCertificate);
        const polynomials = task
          ? ready(task.polynomials, 'polynomial')
          : await readList(need(flags.polynomials, '--polynomials'), 'polynomials', parsePolynomial);
        // Every polynomial has as many commitments as the threshold; combineShares checks they agree.
        const threshold = asInput(() => polynomialThreshold(polynomials[0]!));
        const share = asInput(() => combineShares(G, secrets, certificates, polynomials, threshold, systemRandom));
        await writeSecret(flags.keyOut, writeTrusteePrivateKey(share.privateKey));
        note(
          `Every share sent to you matches its sender's commitments; any ${threshold} of ${certificates.length} trustees can decrypt.`,
        );
        print(writeTrusteePublicKey(share.verificationKey));
        if (server) await send(server, 'verification-key', writeTrusteePublicKey(share.verificationKey));
      },
    );

  trustee
    .command('decrypt')
    .description(
      "After the close: prints your partial decryption of the encrypted tally and of the pools' sub-tallies, with their proofs; with --server, takes its inputs from the server and sends it there",
    )
    .requiredOption('--key <file>', 'your key share from step 3')
    .option('--election <file>', "the election's parameters (election.json), or --server with --token-file")
    .option('--tally <file>', 'the encrypted tally (its first line is read), or --server with --token-file')
    .option('--pools <file>', "the pools of branches and their encrypted sub-tallies (the task's branchTallies)")
    .option(
      '--shuffles <file>',
      'where there are ranked questions: every shuffle, a JSON list in order (each is checked)',
    )
    .addOption(serverOptions()[0]!)
    .addOption(serverOptions()[1]!)
    .action(async (flags: { key: string } & TallyFlags) => {
      const keyText = await read(flags.key, 'your key share');
      const privateKey = asInput(() => parseTrusteePrivateKey(keyText));
      const { election, tally, shuffles, server, branchTallies } = await readTally(flags);
      const pools = branchTallies ? asInput(() => parseBranchTallies(election, branchTallies)) : undefined;
      let decrypted = tally;
      if (nonHomomorphicCiphertexts(election, tally).length > 0) {
        // Decrypting ranked ballots that nobody shuffled would link each to the voter who cast it.
        if (shuffles.length === 0)
          throw new InputError(
            server
              ? 'the election has ranked questions: they must be shuffled before you decrypt; the server has no shuffle yet'
              : 'the election has ranked questions: they must be shuffled before you decrypt; give every shuffle with --shuffles',
          );
        decrypted = mergeNonHomomorphic(
          election,
          tally,
          asInput(() => afterShuffles(election, tally, shuffles)),
        );
      }
      const text = asInput(() =>
        writeTrusteeDecryption(
          partialDecrypt(election, decrypted, privateKey, systemRandom),
          pools && decryptPools(election, pools, privateKey, systemRandom),
        ),
      );
      print(text);
      if (pools) note(`Decrypted the tally and the sub-tallies of ${pools.pools.length} pools of branches.`);
      if (server) await send(server, 'partial-decryption', text);
    });

  trustee
    .command('shuffle')
    .description(
      'After the close, for ranked questions: re-encrypts and permutes the ballots, with a proof of shuffle; prints the shuffle; with --server, takes its inputs from the server and sends it there',
    )
    .option('--election <file>', "the election's parameters (election.json), or --server with --token-file")
    .option('--tally <file>', 'the encrypted tally (its first line is read), or --server with --token-file')
    .option('--shuffles <file>', 'the shuffles made before yours, a JSON list in order (each is checked first)')
    .option(
      '--pools <file>',
      "the pools of branches (the task's branchTallies): the shuffle keeps each pool's ballots together, with a proof per pool",
    )
    .addOption(serverOptions()[0]!)
    .addOption(serverOptions()[1]!)
    .action(async (flags: TallyFlags) => {
      const { election, tally, shuffles, server, branchTallies } = await readTally(flags);
      if (nonHomomorphicCiphertexts(election, tally).length === 0)
        throw new InputError('the election has no ranked (non-homomorphic) question: there is nothing to shuffle');
      const current = asInput(() => afterShuffles(election, tally, shuffles));
      const pools = branchTallies ? asInput(() => parseBranchTallies(election, branchTallies)) : undefined;
      const made = asInput(() => trusteeShuffle(election, current, pools, shuffles.length, systemRandom));
      const text = made.text;
      print(text);
      note(
        `Shuffled ${current.map((es) => es.length).join(' and ')} ballots; ${shuffles.length} shuffles before yours hold.`,
      );
      if (made.pools !== undefined) note(`Each of the ${made.pools} pools of branches kept together, with its proof.`);
      if (server) await send(server, 'shuffle', text);
    });
}

type TallyFlags = { election?: string; tally?: string; shuffles?: string; pools?: string } & ServerFlags;

/** The election, the encrypted tally and the shuffles so far: from the server (--server), or from files. */
async function readTally(flags: TallyFlags) {
  const server = await serverOf(flags);
  if (server) {
    const task = (await server.get('/trustee')) as {
      election: string | null;
      encryptedTally: string | null;
      shuffles: unknown[] | null;
      branchTallies: string | null;
    };
    if (task.election === null || task.encryptedTally === null)
      throw new InputError('the ballot has not closed: there is no encrypted tally yet');
    return {
      election: asInput(() => parseElection(task.election!)),
      tally: asInput(() => parseEncryptedTally(task.encryptedTally!)),
      shuffles: asInput(() => (task.shuffles ?? []).map((x) => parseShuffle(JSON.stringify(x)))),
      server,
      branchTallies: task.branchTallies,
    };
  }
  const electionText = await read(need(flags.election, '--election'), 'the election');
  const tallyText = (await read(need(flags.tally, '--tally'), 'the encrypted tally')).split('\n')[0]!;
  const election = asInput(() => parseElection(electionText));
  const tally = asInput(() => parseEncryptedTally(tallyText));
  const shuffles: Shuffle[] = flags.shuffles ? await readList(flags.shuffles, 'shuffles', parseShuffle) : [];
  const branchTallies = flags.pools ? await read(flags.pools, 'the pools') : null;
  return { election, tally, shuffles, server, branchTallies };
}

async function readSecrets(file: string) {
  const text = await read(file, 'your secret keys');
  return asInput(() => parseTrusteeSecrets(text));
}

/** What GET /api/v1/trustee answers, with the relayed messages parsed as the steps take them. */
type ServerTask = {
  title: string;
  group: string;
  position: number;
  trustees: number;
  threshold: number;
  next: string;
  certificates: Certificate[] | null;
  polynomials: Polynomial[] | null;
  publicKey: string | null;
};

async function taskOf(server: ServerLink): Promise<ServerTask> {
  const t = (await server.get('/trustee')) as Omit<ServerTask, 'certificates' | 'polynomials'> & {
    certificates: unknown[] | null;
    polynomials: unknown[] | null;
  };
  return {
    ...t,
    certificates: t.certificates && asInput(() => t.certificates!.map((c) => parseCertificate(JSON.stringify(c)))),
    polynomials: t.polynomials && asInput(() => t.polynomials!.map((p) => parsePolynomial(JSON.stringify(p)))),
  };
}

/** Every trustee's messages of the step before, or a refusal that says they are not all in. */
function ready<T>(list: T[] | null, what: string): T[] {
  if (!list) throw new InputError(`not every trustee's ${what} is on the server yet: try again later`);
  return list;
}

function need<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new InputError(`${flag} is needed, or --server with --token-file`);
  return value;
}

async function send(server: ServerLink, step: string, body: string): Promise<void> {
  const task = (await server.put(`/trustee/${step}`, body)) as { next: string };
  note(`Sent to the server. Your next step: ${task.next}.`);
}
