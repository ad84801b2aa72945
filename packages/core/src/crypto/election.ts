import * as z from 'zod';
import { BASE58 } from './credential';
import { type Group, groupNamed, isElement } from './group';
import { sha256B64 } from './hash';
import { numberJson, parseJson } from './wire';

/**
 * The election structure of Belenios 2.0 (specification, "Elections" and "Questions").
 * A homomorphic question: the voter picks from `min` to `max` of the answers, or, where
 * `blank` is allowed, none at all (a blank vote); only the totals per answer are ever
 * decrypted. A non-homomorphic question (`nonHomomorphic`, Belenios's
 * `{"type":"NonHomomorphic","value":…}`): each ballot's answer is one ciphertext of a
 * vector of small numbers, one per answer (for a ranked question, each answer's rank, 1
 * first, 0 unranked), and the ballots' answers are shuffled by the trustees then decrypted
 * one by one; it has no min, max or blank (they are 0, the number of answers and false).
 * The raw text is kept: the election's fingerprint, which every ballot and proof names, is
 * the hash of these exact bytes.
 */
export type Question = {
  readonly question: string;
  readonly answers: ReadonlyArray<string>;
  readonly min: number;
  readonly max: number;
  readonly blank: boolean;
  /** A non-homomorphic question; `extra` is Belenios's optional `extra` JSON text (a counting method), kept verbatim. */
  readonly nonHomomorphic?: { readonly extra?: string };
};

/** A non-homomorphic question of these answers (a ranked question's, in omov). */
export const nonHomomorphicQuestion = (question: string, answers: ReadonlyArray<string>, extra?: string): Question => ({
  question,
  answers,
  min: 0,
  max: answers.length,
  blank: false,
  nonHomomorphic: extra === undefined ? {} : { extra },
});

export const isNonHomomorphic = (q: Question): boolean => q.nonHomomorphic !== undefined;

export type ElectionParams = {
  readonly uuid: string;
  readonly name: string;
  readonly description: string;
  readonly questions: ReadonlyArray<Question>;
  readonly administrator?: string;
  readonly credentialAuthority?: string;
};

export type Election = ElectionParams & {
  readonly group: Group;
  readonly publicKey: bigint;
  /** The election's JSON text, exactly as published. */
  readonly raw: string;
  /** H_JSON(raw): the election_hash of every ballot. */
  readonly fingerprint: string;
};

const UUID = new RegExp(`^[${BASE58}]{14,}$`);

/**
 * The number of values in a plaintext answer: for a homomorphic question one per answer, plus
 * a leading one for "blank" where blank votes are allowed (each its own ciphertext); for a
 * non-homomorphic one, one per answer (all in one ciphertext).
 */
export const questionLength = (q: Question): number => q.answers.length + (q.blank && !q.nonHomomorphic ? 1 : 0);

function checkQuestion(q: Question, where: string, group: Group): void {
  if (q.answers.length < 1) throw new RangeError(`${where}: a question needs at least one answer`);
  if (q.nonHomomorphic) {
    const e = group.embedding;
    if (!e)
      throw new RangeError(
        `${where}: a non-homomorphic question needs a group that can encode its answers (RFC-3526-2048), not ${group.name}`,
      );
    // Belenios's group_encode: bits_per_int bits per answer and the padding must stay below p.
    if (q.answers.length * e.bitsPerInt + e.padding >= group.p.toString(2).length - 1)
      throw new RangeError(`${where}: too many answers to encode in one ciphertext`);
    return;
  }
  if (!Number.isInteger(q.min) || !Number.isInteger(q.max) || q.min < 0 || q.min > q.max || q.max > q.answers.length)
    throw new RangeError(`${where}: min and max must satisfy 0 ≤ min ≤ max ≤ the number of answers`);
}

const writeString = (s: string): string => JSON.stringify(s);
const writeQuestion = (q: Question): string =>
  q.nonHomomorphic
    ? `{"type":"NonHomomorphic","value":{"answers":[${q.answers.map(writeString).join(',')}],"question":${writeString(q.question)}}` +
      (q.nonHomomorphic.extra === undefined ? '' : `,"extra":${q.nonHomomorphic.extra}`) +
      '}'
    : `{"answers":[${q.answers.map(writeString).join(',')}]${q.blank ? ',"blank":true' : ''},"min":${q.min},"max":${q.max},"question":${writeString(q.question)}}`;

/** Writes the election's JSON in Belenios's field order (what `belenios-tool setup make-election` writes). */
export function makeElection(params: ElectionParams, group: Group, publicKey: bigint): Election {
  if (!UUID.test(params.uuid)) throw new RangeError('uuid: 14 or more base-58 characters');
  params.questions.forEach((q, i) => checkQuestion(q, `questions.${i}`, group));
  if (!isElement(group, publicKey)) throw new RangeError('public_key: not an element of the group');
  const raw =
    `{"version":1,"description":${writeString(params.description)},"name":${writeString(params.name)}` +
    `,"group":"${group.name}","public_key":"${publicKey}","questions":[${params.questions.map(writeQuestion).join(',')}]` +
    `,"uuid":"${params.uuid}"` +
    (params.administrator === undefined ? '' : `,"administrator":${writeString(params.administrator)}`) +
    (params.credentialAuthority === undefined
      ? ''
      : `,"credential_authority":${writeString(params.credentialAuthority)}`) +
    '}';
  return { ...params, group, publicKey, raw, fingerprint: sha256B64(raw) };
}

const homomorphicJson = z.strictObject({
  answers: z.array(z.string()).min(1),
  blank: z.boolean().optional(),
  min: z.number().int().nonnegative(),
  max: z.number().int().nonnegative(),
  question: z.string(),
});
const nonHomomorphicJson = z.strictObject({
  type: z.literal('NonHomomorphic'),
  value: z.strictObject({ answers: z.array(z.string()).min(1), question: z.string() }),
  extra: z.unknown().optional(),
});
const questionJson = z.union(
  [homomorphicJson, nonHomomorphicJson],
  'a homomorphic question (answers, blank, min, max, question) or a non-homomorphic one (type "NonHomomorphic", value)',
);

const electionJson = z.strictObject({
  version: z.literal(1),
  description: z.string(),
  name: z.string(),
  group: z.string(),
  public_key: numberJson,
  questions: z.array(questionJson),
  uuid: z.string().regex(UUID, '14 or more base-58 characters'),
  administrator: z.string().optional(),
  credential_authority: z.string().optional(),
});

/** Reads an election.json (as belenios-tool or makeElection wrote it) and checks what can be checked alone. */
export function parseElection(raw: string): Election {
  const e = parseJson(electionJson, raw, 'election');
  const group = groupNamed(e.group);
  if (!isElement(group, e.public_key)) throw new RangeError('election: public_key: not an element of the group');
  const questions = e.questions.map((q, i): Question => {
    const question =
      'type' in q
        ? nonHomomorphicQuestion(
            q.value.question,
            q.value.answers,
            q.extra === undefined ? undefined : JSON.stringify(q.extra),
          )
        : { question: q.question, answers: q.answers, min: q.min, max: q.max, blank: q.blank === true };
    checkQuestion(question, `election: questions.${i}`, group);
    return question;
  });
  return {
    uuid: e.uuid,
    name: e.name,
    description: e.description,
    questions,
    ...(e.administrator === undefined ? {} : { administrator: e.administrator }),
    ...(e.credential_authority === undefined ? {} : { credentialAuthority: e.credential_authority }),
    group,
    publicKey: e.public_key,
    raw,
    fingerprint: sha256B64(raw),
  };
}
