import type { z } from 'zod';
import { approval } from './approval';
import { block } from './block';
import { borda } from './borda';
import { copeland } from './copeland';
import { irv } from './irv';
import { plurality } from './plurality';
import { rankedPairs } from './ranked-pairs';
import { schulze } from './schulze';
import { score } from './score';
import { stv } from './stv';
import type { AnswerKind, BallotOf, MethodDescriptor } from './types';
import { yesno } from './yesno';

export type { AnswerKind, AnswerLimits, CliFlag, Field, MethodDescriptor, MethodLabels } from './types';

/**
 * Every counting method, in the order the builder offers them. Adding one: its engine
 * module (src/tally/methods), its descriptor (a file here, and one entry in this list) and
 * its engine tests; tests/methods.test.ts walks it through every layer with no new code.
 */
export const METHOD_LIST = [yesno, plurality, block, approval, score, borda, irv, stv, schulze, rankedPairs, copeland];

type Listed = (typeof METHOD_LIST)[number];

/** A counting method's name, as the API, the CLI and the record spell it. */
export type Method = Listed['name'];
export type DescriptorOf<M extends Method> = Extract<Listed, { name: M }>;
export type SettingsOf<M extends Method> = z.output<DescriptorOf<M>['settings']>;
export type AnswerOf<M extends Method> = DescriptorOf<M>['answer'];
export type BallotFor<M extends Method> = BallotOf<AnswerOf<M>>;

/** The engine's options for each method, with its name: what `tally` takes. */
export type EngineOptions = Listed extends infer D
  ? D extends { readonly name: infer N; engine(...args: never[]): infer O }
    ? { readonly method: N } & O
    : never
  : never;

/**
 * Any method with its types erased, for code that treats every method alike. A question's
 * settings were parsed by its own method's schema, so passing them back to that method's
 * functions is safe.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethod = MethodDescriptor<Method, z.ZodObject, any, AnswerKind>;

export const METHODS: ReadonlyArray<Method> = METHOD_LIST.map((d) => d.name);

const BY_NAME = new Map<string, AnyMethod>(METHOD_LIST.map((d) => [d.name, d as AnyMethod]));

export const isMethod = (x: unknown): x is Method => typeof x === 'string' && BY_NAME.has(x);

/** The descriptor of a method by name; an unknown name is a RangeError naming it. */
export function methodOf(name: string): AnyMethod {
  const d = BY_NAME.get(name);
  if (!d) throw new RangeError(`unknown counting method ${JSON.stringify(name)}`);
  return d;
}

/** The value a builder field starts with: the schema's default where the field is prefilled, else blank. */
export function fieldStart(d: AnyMethod, key: string): string {
  const field = d.fields.find((f) => f.key === key);
  if (!field?.prefill) return '';
  const shape = d.settings.shape as Record<string, z.ZodType>;
  const v = shape[key]?.safeParse(undefined);
  return v?.success && v.data !== undefined ? String(v.data) : '';
}
