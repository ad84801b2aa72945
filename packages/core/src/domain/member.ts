import { z } from 'zod';
import { textRule } from './text';

/**
 * A member's fields, defined once with their limits: the roll's CSV import, the
 * single-member form and the API all read a member through `memberSchema`, so a value
 * one accepts the others accept too. Messages name the fault, and the value where that
 * helps find it in a file.
 */

export const MEMBER_LIMITS = { email: 320, name: 200, branch: 200, memberNumber: 100 } as const;

const text = (max: number) =>
  z
    .string()
    .check(textRule)
    .trim()
    .max(max, { error: `is longer than ${max} characters`, abort: true });
const required = (max: number) => text(max).min(1, { error: 'is empty', abort: true });

/** A weight as written, normalised (no leading or trailing zeros) so that equal weights compare equal. */
export function normaliseWeight(w: string): string {
  const [i = '0', f = ''] = w.split('.');
  const frac = f.replace(/0+$/, '');
  const int = i.replace(/^0+(?=\d)/, '');
  return frac ? `${int}.${frac}` : int;
}

const WEIGHT = /^\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const memberSchema = z.object({
  email: required(MEMBER_LIMITS.email).refine((v) => z.email().safeParse(v).success, {
    error: (iss) => `"${String(iss.input)}" is not an email address`,
  }),
  name: required(MEMBER_LIMITS.name),
  branch: required(MEMBER_LIMITS.branch),
  memberNumber: text(MEMBER_LIMITS.memberNumber)
    .nullable()
    .default(null)
    .transform((v) => v || null),
  weight: z
    .string()
    .check(textRule)
    .trim()
    .default('1')
    .transform((w, ctx) => {
      const v = w || '1';
      if (WEIGHT.test(v) && /[1-9]/.test(v)) return normaliseWeight(v);
      ctx.issues.push({ code: 'custom', message: `"${w}" is not a positive number`, input: w });
      return z.NEVER;
    })
    .describe('a positive decimal, 1 for one member one vote'),
  joinedOn: z
    .string()
    .check(textRule)
    .trim()
    .nullable()
    .default(null)
    .transform((d, ctx) => {
      if (!d) return null;
      // A day the calendar has (2020-02-30 parses in JavaScript, but PostgreSQL refuses it).
      const t = Date.parse(`${d}T00:00:00Z`);
      if (DATE.test(d) && !Number.isNaN(t) && new Date(t).toISOString().startsWith(d)) return d;
      ctx.issues.push({ code: 'custom', message: `"${d}" is not a date (YYYY-MM-DD)`, input: d });
      return z.NEVER;
    })
    .describe('YYYY-MM-DD'),
});
/** A member as checked: trimmed, the weight normalised, blanks as null. */
export type Member = z.output<typeof memberSchema>;

/** The roll's CSV column of each field. */
export const ROLL_COLUMN = {
  email: 'email',
  name: 'name',
  branch: 'branch',
  memberNumber: 'member_number',
  weight: 'weight',
  joinedOn: 'joined',
} as const satisfies { [K in keyof Member]: string };
