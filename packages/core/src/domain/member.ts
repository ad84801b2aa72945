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
const EMAIL = z.email();

/** A day the calendar has (2020-02-30 parses in JavaScript, but PostgreSQL refuses it); arithmetic, as a roll checks it 500,000 times. */
function isCalendarDate(iso: string): boolean {
  if (!DATE.test(iso)) return false;
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
}

/** How a roll writes a date that is not ISO: day first (UK, 31/12/2024) or month first (US, 12/31/2024). */
export const DATE_ORDERS = ['dmy', 'mdy'] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];
const LOCAL_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d+)$/;

/**
 * A date as people write it in a spreadsheet, as YYYY-MM-DD: ISO as it is, or d/m/yyyy
 * (also with . or -) in the order the organiser chose. 05/06/2024 is a different day in
 * London and in New York, so without a chosen order such a date is refused, never guessed.
 */
export function readRollDate(d: string, order: DateOrder | undefined): { date: string } | { error: string } {
  if (/^\d{4}-/.test(d)) return isCalendarDate(d) ? { date: d } : { error: `"${d}" is not a date (YYYY-MM-DD)` };
  const m = LOCAL_DATE.exec(d);
  if (!m) return { error: `"${d}" is not a date (YYYY-MM-DD, or day/month/year)` };
  if (m[4]!.length !== 4) return { error: `"${d}": write the year with four digits` };
  if (!order) return { error: `"${d}": choose whether the file's dates are day first (31/12/2024) or month first` };
  const [day, month] = order === 'dmy' ? [m[1]!, m[3]!] : [m[3]!, m[1]!];
  const iso = `${m[4]}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  if (isCalendarDate(iso)) return { date: iso };
  return { error: `"${d}" is not a date (${order === 'dmy' ? 'day/month/year' : 'month/day/year'})` };
}

export const memberSchema = z.object({
  email: required(MEMBER_LIMITS.email)
    .refine((v) => EMAIL.safeParse(v).success, {
      error: (iss) => `"${String(iss.input)}" is not an email address`,
    })
    .meta({ format: 'email' }),
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
    .describe('a positive decimal, 1 for one member one vote')
    .meta({ pattern: String.raw`^\s*(\d*[1-9]\d*(\.\d+)?|\d+\.\d*[1-9]\d*)?\s*$` }),
  joinedOn: z
    .string()
    .check(textRule)
    .trim()
    .nullable()
    .default(null)
    .transform((d, ctx) => {
      if (!d) return null;
      if (isCalendarDate(d)) return d;
      ctx.issues.push({ code: 'custom', message: `"${d}" is not a date (YYYY-MM-DD)`, input: d });
      return z.NEVER;
    })
    .describe('YYYY-MM-DD')
    // The document says what the check above accepts (a blank or null is no date).
    .meta({ anyOf: [{ type: 'string', format: 'date', pattern: DATE.source }, { const: '' }, { type: 'null' }] }),
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
