import * as z from 'zod';
import { isDecimal, parseDecimal } from './group';

/**
 * Belenios 2.0's common JSON structures (specification, "Common structures"): numbers as
 * base-10 strings, fields in the order the specification lists them. Serialisation is by
 * hand, field by field, because the bytes are hashed: a ballot's signature covers them and
 * its tracker is their hash.
 */
export type Proof = { readonly challenge: bigint; readonly response: bigint };
export type Ciphertext = { readonly alpha: bigint; readonly beta: bigint };

export const numberJson = z
  .string()
  .refine(isDecimal, 'a base-10 number written as a string')
  .transform((s) => parseDecimal(s));
export const proofJson = z.strictObject({ challenge: numberJson, response: numberJson });
export const ciphertextJson = z.strictObject({ alpha: numberJson, beta: numberJson });

export const writeProof = (p: Proof): string => `{"challenge":"${p.challenge}","response":"${p.response}"}`;
export const writeCiphertext = (c: Ciphertext): string => `{"alpha":"${c.alpha}","beta":"${c.beta}"}`;
export const writeArray = <T>(xs: ReadonlyArray<T>, write: (x: T) => string): string => `[${xs.map(write).join(',')}]`;

/** Parses JSON text against a schema; the error names the first wrong field. */
export function parseJson<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SyntaxError(`${what}: not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`${what}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * A trustee's hand-over read apart: Belenios's message (the JSON object without `"pools"`, as
 * text for its own parser) and omov's `"pools"` beside it (undefined where absent).
 */
export function splitPools(text: string, what: string): { belenios: string; pools: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SyntaxError(`${what}: not JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${what}: not a JSON object`);
  const { pools, ...belenios } = value as Record<string, unknown>;
  return { belenios: JSON.stringify(belenios), pools };
}
