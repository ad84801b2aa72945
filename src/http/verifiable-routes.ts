import type { Request } from 'express';
import { z } from 'zod';
import { MAX_TRUSTEES } from '@omov/core/domain/ballot';
import { type Certificate, type Polynomial, polynomialJson } from '@omov/core/crypto/dkg';
import { parseTrusteeShuffle } from '@omov/core/crypto/pool-shuffle';
import { signedMessageJson, type TrusteePublicKey, trusteePublicKeyJson } from '@omov/core/crypto/trustee';
import type { AppContext } from '../services/context';
import * as trusteesService from '../services/trustees';
import * as credentialsService from '../services/credentials';
import * as verifiableService from '../services/verifiable';
import { invalid } from '../services/errors';
import { parseTrusteeDecryption } from '@omov/core/crypto/branch-tally';
import { type ApiRoute, route } from './api-routes';
import { bearerOf } from './auth';

/**
 * A verifiable ballot's trustees and credential authority (docs/verifiable.md): the organiser
 * names them and gets their tokens; each then calls /trustee or /credential-authority with
 * their own token as "Authorization: Bearer …" (never the organiser's session), to hand over
 * what `omov trustee` and `omov credentials` print.
 */
const TRUSTEE_AUTH = 'with the trustee\'s own token as "Authorization: Bearer …"';
const AUTHORITY_AUTH = 'with the credential authority\'s own token as "Authorization: Bearer …"';

const published = z.object({
  ballotId: z.string(),
  electionUuid: z.string(),
  credentialAuthority: z.string(),
  credentials: z.array(z.string()).describe('the public credentials as Belenios lists them: "credential,weight"'),
  byBranch: z.array(z.object({ branch: z.string(), credentials: z.number().int() })),
});

const task = z.object({
  ballotId: z.string(),
  title: z.string(),
  position: z.number().int().describe("this trustee's number, 1 … n, in the order of the key generation"),
  name: z.string(),
  trustees: z.number().int(),
  threshold: z.number().int(),
  group: z.string(),
  next: z.enum(['certificate', 'polynomial', 'verification-key', 'waiting', 'shuffle', 'decrypt', 'done']),
  certificates: z.array(z.unknown()).nullable().describe("every trustee's certificate, once all are in"),
  polynomials: z.array(z.unknown()).nullable().describe("every trustee's polynomial, once all are in"),
  publicKey: z.string().nullable().describe("the election's public key, once every verification key is in"),
  election: z
    .string()
    .nullable()
    .describe("after the close: the election's parameters (election.json), for omov trustee decrypt"),
  encryptedTally: z.string().nullable().describe('after the close: the encrypted tally, for omov trustee decrypt'),
  branchTallies: z
    .string()
    .nullable()
    .describe(
      'after the close: the pools of branches and their encrypted sub-tallies (JSON text), for omov trustee decrypt --pools',
    ),
  shuffles: z
    .array(z.unknown())
    .nullable()
    .describe(
      'after the close, where a question is ranked: every shuffle so far, in order, for omov trustee shuffle and decrypt',
    ),
});

const proofBody = z.object({ challenge: z.string(), response: z.string() });
const beleniosPartialDecryption = z.object({
  decryption_factors: z.array(z.array(z.string())),
  decryption_proofs: z.array(z.array(proofBody)),
});
const partialDecryptionBody = beleniosPartialDecryption.extend({
  pools: z
    .array(beleniosPartialDecryption)
    .optional()
    .describe("the trustee's partial decryption of each pool's sub-tally, in the pools' order (branchTallies)"),
});
const ciphertextBody = z.object({ alpha: z.string(), beta: z.string() });
/** Belenios's shuffle; its proof is the core's to check (checkShuffle), this only describes its shape. */
const shuffleBody = z
  .object({
    ciphertexts: z.array(z.array(ciphertextBody)),
    proofs: z.array(z.array(z.unknown())),
    pools: z
      .array(z.array(z.array(z.unknown())))
      .optional()
      .describe(
        "per ranked question, per pool of branches (branchTallies): the proof that the pool's range is a shuffle of its ballots before",
      ),
  })
  .describe('a Belenios 2.0 shuffle with its pool proofs, as omov trustee shuffle prints it');
/** A Belenios 2.0 ballot; its checks are the core's (checkBallot), this only describes its shape. */
const beleniosBallot = z
  .object({
    election_uuid: z.string(),
    election_hash: z.string(),
    credential: z.string(),
    answers: z.array(
      z.union([
        z
          .object({
            choices: z.array(ciphertextBody),
            individual_proofs: z.array(z.array(proofBody)),
            overall_proof: z.array(proofBody),
            blank_proof: z.array(proofBody).optional(),
          })
          .loose(),
        // A ranked (non-homomorphic) question's answer: one ciphertext of the whole ranking.
        z.object({ choices: ciphertextBody, proof: proofBody }).loose(),
      ]),
    ),
    signature: z.object({ hash: z.string(), proof: proofBody }).optional(),
  })
  .loose()
  .describe('a Belenios 2.0 ballot, as omov vote --out writes it');

const board = z.object({
  ballotId: z.string(),
  title: z.string(),
  status: z.string(),
  electionUuid: z.string(),
  electionHash: z.string().describe("the election's fingerprint: the election_hash of every ballot"),
  head: z
    .object({ height: z.number().int(), hash: z.string() })
    .describe("the chain's last event: its hash commits to every ballot before it"),
  ballots: z.array(
    z.object({
      height: z.number().int(),
      tracker: z.string(),
      credential: z.string(),
      event: z.string().describe('the hash of the Ballot event'),
      at: z.string(),
    }),
  ),
});

/** A step's parsed body as the service takes it: the route's schema has parsed it into that step's type. */
function submission(
  step: 'certificate' | 'polynomial' | 'verification-key',
  body: unknown,
): trusteesService.TrusteeSubmission {
  if (step === 'certificate') return { kind: step, certificate: body as Certificate };
  if (step === 'polynomial') return { kind: step, polynomial: body as Polynomial };
  return { kind: step, verificationKey: body as TrusteePublicKey };
}

/** The public credentials' upload: a whole roll's, beyond the API's 1 MB, and still bounded. */
export const PUBLIC_CREDENTIALS_LIMIT = 64 * 1024 * 1024;

/**
 * A trustee's shuffle and partial decryption, after the close: where a question is ranked,
 * both carry every counted ballot's ciphertext of it, far beyond the API's 1 MB. A 2048-bit
 * number is at most 617 digits, about 620 bytes in the JSON. A shuffle carries 12 per ballot
 * and ranked question: the re-encrypted ciphertext's 2, the whole-list proof's tHat, sHat,
 * sPrime, c and cHat, and the same 5 again in its pool's proof (pool-shuffle.ts), about
 * 7.4 KB: 74 MB for 10,000 ballots of one ranked question, 149 MB for two (an amended
 * question's versions and options). A partial decryption carries 3 (a factor and its proof's
 * 2), far less. 192 MB holds two ranked questions of 10,000 members with room to spare, and
 * stays bounded.
 */
export const TRUSTEE_COUNT_LIMIT = 192 * 1024 * 1024;
const TRUSTEE_COUNT_TOO_LARGE = `the body is too large: a shuffle or partial decryption is at most ${TRUSTEE_COUNT_LIMIT / 1024 / 1024} MB (about 7.4 KB per ballot and ranked question, with the pools' proofs: two ranked questions of some 13,000 ballots); put further ranked questions on a ballot of their own`;

const trusteeName = z.string().trim().min(1).max(200);
/** A trustee by name only (their token is answered to pass on) or with an email (their link is mailed). */
const namedTrustee = z.union([trusteeName, z.object({ name: trusteeName, email: z.email().max(320) })]);

export function verifiableRoutes(ctx: AppContext): ApiRoute[] {
  /** Only a trustee may send a body that large: their token is checked before it is read. */
  const admitTrustee = async (req: Request) => void (await trusteesService.trusteeOf(ctx.db, bearerOf(req)));
  const idParams = z.object({ id: z.uuid() });
  return [
    route({
      method: 'post',
      path: '/ballots/:id/trustees',
      tag: 'verifiable',
      auth: true,
      status: 201,
      summary:
        "Name a verifiable draft's trustees, replacing any named before. A trustee given an email is mailed their link and their token is shown to nobody; for any other, the answer holds their secret token, once, to pass on",
      params: idParams,
      body: z.object({ names: z.array(namedTrustee).min(1).max(MAX_TRUSTEES) }),
      response: z.object({
        trustees: z.array(
          z.object({
            position: z.number().int(),
            name: z.string(),
            token: z.string().nullable().describe('null when the link was mailed'),
            mailedTo: z.string().nullable(),
          }),
        ),
      }),
      handler: async ({ principal, params, body }) => ({
        trustees: await trusteesService.inviteTrustees(
          ctx,
          principal,
          params.id,
          body.names.map((t) => (typeof t === 'string' ? { name: t, email: null } : { name: t.name, email: t.email })),
        ),
      }),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/trustees',
      tag: 'verifiable',
      auth: true,
      summary: "Where a verifiable ballot's key generation stands: which trustee has handed over what",
      params: idParams,
      response: z.object({
        threshold: z.number().int(),
        trustees: z.array(
          z.object({
            position: z.number().int(),
            name: z.string(),
            certificate: z.boolean(),
            polynomial: z.boolean(),
            verificationKey: z.boolean(),
          }),
        ),
        publicKey: z.string().nullable(),
      }),
      handler: async ({ principal, params }) => trusteesService.trusteeProgress(ctx, principal, params.id),
    }),
    route({
      method: 'get',
      path: '/trustee',
      tag: 'verifiable',
      auth: false,
      summary: `A trustee's task: the next step, and every trustee's messages it needs (${TRUSTEE_AUTH})`,
      response: task,
      handler: async ({ req }) => trusteesService.trusteeTask(ctx, bearerOf(req)),
    }),
    // The three steps' messages, each as `omov trustee` prints it.
    ...(
      [
        ['certificate', 'Step 1', 'certificate', signedMessageJson],
        ['polynomial', 'Step 2', 'polynomial', polynomialJson],
        ['verification-key', 'Step 3', 'key', trusteePublicKeyJson],
      ] as const
    ).map(([step, n, command, schema]) =>
      route({
        method: 'put',
        path: `/trustee/${step}`,
        tag: 'verifiable',
        auth: false,
        summary: `${n}: the trustee's ${step.replace('-', ' ')}, as "omov trustee ${command}" prints it (${TRUSTEE_AUTH})`,
        body: schema as z.ZodType<unknown>,
        response: task,
        handler: async ({ req, body }) =>
          trusteesService.submitTrusteeMessage(ctx, bearerOf(req), submission(step, body)),
      }),
    ),
    route({
      method: 'put',
      path: '/trustee/shuffle',
      tag: 'verifiable',
      auth: false,
      summary: `After the close, where a question is ranked: the trustee's shuffle of its ballots, as "omov trustee shuffle" prints it; its proof of shuffle is checked against the ciphertexts before it, and its proof for each pool of branches that the pool's ballots stay together (${TRUSTEE_AUTH})`,
      body: shuffleBody,
      jsonLimit: TRUSTEE_COUNT_LIMIT,
      tooLarge: TRUSTEE_COUNT_TOO_LARGE,
      admit: admitTrustee,
      response: task,
      handler: async ({ req, body }) => {
        let read;
        try {
          read = parseTrusteeShuffle(JSON.stringify(body));
        } catch (err) {
          throw invalid((err as Error).message);
        }
        return trusteesService.submitTrusteeShuffle(ctx, bearerOf(req), read.shuffle, read.pools);
      },
    }),
    route({
      method: 'put',
      path: '/trustee/partial-decryption',
      tag: 'verifiable',
      auth: false,
      summary: `After the close: the trustee's partial decryption of the encrypted tally, as "omov trustee decrypt" prints it; its proofs are checked against their key (${TRUSTEE_AUTH})`,
      body: partialDecryptionBody,
      jsonLimit: TRUSTEE_COUNT_LIMIT,
      tooLarge: TRUSTEE_COUNT_TOO_LARGE,
      admit: admitTrustee,
      response: task,
      handler: async ({ req, body }) => {
        let read;
        try {
          read = parseTrusteeDecryption(JSON.stringify(body));
        } catch (err) {
          throw invalid((err as Error).message);
        }
        return trusteesService.submitTrusteeDecryption(ctx, bearerOf(req), read.partialDecryption, read.pools);
      },
    }),
    route({
      method: 'get',
      path: '/ballots/:id/election.json',
      tag: 'verifiable',
      auth: false,
      summary:
        "A verifiable ballot's election parameters in Belenios 2.0's election.json (public from the opening): what every ballot is encrypted for",
      params: idParams,
      response: z.object({}).loose(),
      responseDescription: 'election.json, byte for byte as its fingerprint was computed',
      handler: async ({ params, res }) => {
        res
          .status(200)
          .type('application/json')
          .send(await verifiableService.electionJson(ctx, params.id));
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/ballots/:id/verifiable-ballots',
      tag: 'verifiable',
      auth: false,
      status: 201,
      summary:
        'Cast a Belenios ballot (public: the ballot is signed with a credential, no session): checked in full, put on the board; answers its smart ballot tracker. A later ballot with the same credential replaces the earlier one',
      params: idParams,
      body: beleniosBallot,
      response: z.object({
        tracker: z.string().describe('the smart ballot tracker: find it on the board'),
        height: z.number().int(),
        replaced: z.boolean().describe("true when this credential's earlier ballot no longer counts"),
      }),
      // The body as the caller wrote it (key order and all): the tracker is the hash of its text.
      handler: async ({ params, req }) => verifiableService.castVerifiable(ctx, params.id, JSON.stringify(req.body)),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/verifiable-board',
      tag: 'verifiable',
      auth: false,
      summary:
        "A verifiable ballot's public board: every accepted ballot with its tracker, in a hash chain (public); ?tracker= finds one",
      params: idParams,
      query: z.object({ tracker: z.string().max(100).optional() }),
      response: board,
      handler: async ({ params, query }) => verifiableService.verifiableBoard(ctx, params.id, query.tracker),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/belenios-archive',
      tag: 'verifiable',
      auth: false,
      summary:
        "A verifiable ballot's Belenios 2.0 archive (<uuid>.bel, public): the election, trustees, credentials, ballots, tally, partial decryptions and result; check it with belenios-tool election verify",
      params: idParams,
      response: z.string(),
      responseType: 'application/x-tar',
      responseDescription:
        'The archive (a download): put it alone in a directory and run belenios-tool election verify --dir there',
      handler: async ({ params, res }) => {
        const file = await verifiableService.beleniosArchive(ctx, params.id);
        res
          .status(200)
          .type('application/x-tar')
          .set('Content-Disposition', `attachment; filename="${file.fileName}"`)
          .send(Buffer.from(file.bytes));
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/ballots/:id/credential-authority',
      tag: 'verifiable',
      auth: true,
      status: 201,
      summary:
        "Make a verifiable draft's credential authority a token (replacing any before, and their credentials): mailed in their link when an email is given (and then shown to nobody), otherwise answered once to pass on",
      params: idParams,
      body: z.object({ email: z.email().max(320).optional() }).optional(),
      response: z.object({
        token: z.string().nullable().describe('null when the link was mailed'),
        mailedTo: z.string().nullable(),
        electionUuid: z.string(),
      }),
      handler: async ({ principal, params, body }) =>
        credentialsService.inviteCredentialAuthority(ctx, principal, params.id, body?.email ?? null),
    }),
    route({
      method: 'get',
      path: '/credential-authority/roll',
      tag: 'verifiable',
      auth: false,
      summary: `The roll to make credentials from: each eligible member's id, branch and weight, no names or emails (${AUTHORITY_AUTH})`,
      response: z.object({
        ballotId: z.string(),
        title: z.string(),
        credentialAuthority: z.string(),
        electionUuid: z.string(),
        group: z.string().describe("the group to make the credentials in: the ballot's questions choose it"),
        uploadedGroup: z
          .string()
          .nullable()
          .describe(
            'the group the public credentials uploaded so far were checked in (null before any); where it is not `group`, the questions changed after the upload, and the credentials must be made and uploaded again',
          ),
        members: z.array(z.object({ memberId: z.string(), branch: z.string(), weight: z.string() })),
      }),
      handler: async ({ req }) => credentialsService.credentialRoll(ctx, bearerOf(req)),
    }),
    route({
      method: 'get',
      path: '/credential-authority/addresses',
      tag: 'verifiable',
      auth: false,
      summary: `Where to deliver each private credential: each eligible member's id, name and email, for "omov credentials send" or "letters" (${AUTHORITY_AUTH})`,
      response: z.object({
        ballotId: z.string(),
        title: z.string(),
        members: z.array(z.object({ memberId: z.string(), name: z.string(), email: z.string() })),
      }),
      handler: async ({ req }) => credentialsService.credentialAddresses(ctx, bearerOf(req)),
    }),
    route({
      method: 'put',
      path: '/credential-authority/public-credentials',
      tag: 'verifiable',
      auth: false,
      summary: `The public credentials, as "omov credentials generate" writes them; checked against the roll branch by branch (${AUTHORITY_AUTH})`,
      // About 660 bytes a credential: 64 MB holds a roll of some 95,000 members.
      jsonLimit: PUBLIC_CREDENTIALS_LIMIT,
      tooLarge: `the body is too large: the public credentials are at most ${PUBLIC_CREDENTIALS_LIMIT / 1024 / 1024} MB`,
      body: z.object({
        credentials: z.array(z.object({ credential: z.string(), weight: z.string(), branch: z.string() })).min(1),
      }),
      response: published,
      handler: async ({ req, body }) =>
        credentialsService.uploadPublicCredentials(ctx, bearerOf(req), body.credentials),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/public-credentials',
      tag: 'verifiable',
      auth: false,
      summary:
        "A verifiable ballot's public credentials and each branch's count (public, before the ballot opens, so that branches can check their own)",
      params: idParams,
      response: published,
      handler: async ({ params }) => credentialsService.publishedCredentials(ctx, params.id),
    }),
  ];
}
