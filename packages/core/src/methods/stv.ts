import { z } from 'zod';
import { countStv } from '../tally/stv/index';
import type { BalanceRule, StvRules } from '../tally/types';
import { Balance, ruleWords } from '../tally/stv/balance';
import { seats, seatsField, seatsWords } from './common';
import { defineMethod } from './types';

const RULES: Record<StvRules, string> = {
  scottish: 'Scottish STV (2007 rules, 5 decimal places)',
  ers97: 'ERS97 (Electoral Reform Society)',
  meek: 'Meek (computer count)',
};
const RULE_NAMES = Object.keys(RULES) as [StvRules, ...StvRules[]];

/** The most balance rules on one question. */
export const MAX_BALANCE_RULES = 20;

/** A balance rule: a group of the question's options (by label) with a minimum and/or maximum of seats. */
const balanceRule = z
  .object({
    group: z.string().trim().min(1).max(100).describe('the group\'s name: "women", "North"'),
    candidates: z
      .array(z.string().trim().min(1).max(500))
      .min(1)
      .max(200)
      .describe("the group's candidates, by their options' labels, word for word"),
    min: z.number().int().min(0).max(100).optional().describe('at least this many of the group are elected'),
    max: z.number().int().min(0).max(100).optional().describe('at most this many of the group are elected'),
  })
  .refine((r) => r.min !== undefined || r.max !== undefined, {
    message: 'A balance rule needs a minimum or a maximum',
    path: ['min'],
  })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    message: 'The minimum cannot be above the maximum',
    path: ['max'],
  });

/** Whether the options can meet the balance rules at all (when every rule names options). */
function balanceFits(
  s: { seats: number; balance?: ReadonlyArray<BalanceRule> | undefined },
  labels: ReadonlyArray<string>,
): Array<{ path: Array<string | number>; message: string }> {
  const rules = s.balance ?? [];
  if (!rules.length || rules.some((r) => r.candidates.some((c) => !labels.includes(c)))) return [];
  if (s.seats >= labels.length) return [];
  try {
    new Balance(
      labels,
      labels.map((_, i) => i),
      s.seats,
      rules,
    );
    return [];
  } catch (e) {
    return [
      { path: ['balance'], message: `The balance rules cannot all be met by these candidates for ${s.seats} seats` },
    ];
  }
}

/**
 * The builder's lines for balance rules: "women; at least 1; Dora, Eve", "North; at least 1
 * and at most 2; Ann, Bob" (the candidates as their options' labels, separated by commas).
 */
export function balanceLines(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return (value as BalanceRule[])
    .map((r) => {
      const bounds = [
        ...(r.min !== undefined ? [`at least ${r.min}`] : []),
        ...(r.max !== undefined ? [`at most ${r.max}`] : []),
      ].join(' and ');
      return `${r.group}; ${bounds}; ${r.candidates.join(', ')}`;
    })
    .join('\n');
}

export function parseBalanceLines(
  text: string,
): { readonly ok: true; readonly value: BalanceRule[] } | { readonly ok: false; readonly message: string } {
  const rules: BalanceRule[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    const parts = line.split(';').map((p) => p.trim());
    const m = /^(?:at least (\d+))?\s*(?:and\s+)?(?:at most (\d+))?$/i.exec(parts[1] ?? '');
    if (parts.length !== 3 || !parts[0] || !m || (m[1] === undefined && m[2] === undefined) || !parts[2])
      return {
        ok: false,
        message: `Line ${i + 1}: write a group, its seats and its candidates, as "women; at least 1; Dora, Eve"`,
      };
    rules.push({
      group: parts[0],
      ...(m[1] !== undefined ? { min: Number(m[1]) } : {}),
      ...(m[2] !== undefined ? { max: Number(m[2]) } : {}),
      candidates: parts[2]
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    });
  }
  return { ok: true, value: rules };
}

export const stv = defineMethod({
  name: 'stv',
  answer: 'ranking',
  labels: {
    name: 'Single transferable vote (ranked, several seats)',
    hint: 'Each member ranks the candidates; candidates reaching the quota are elected, surpluses and exclusions transfer.',
    sheet: 'Single transferable vote',
    figure: 'first preferences',
    roundsAlways: true,
    rules: RULES,
  },
  settings: z
    .object({
      seats,
      rules: z.enum(RULE_NAMES).default('scottish'),
      balance: z
        .array(balanceRule)
        .max(MAX_BALANCE_RULES)
        .optional()
        .describe('balance rules: groups of candidates with a minimum and/or maximum of seats'),
    })
    .superRefine((s, ctx) => {
      if (!s.balance?.length) return;
      s.balance.forEach((r, i) => {
        if (r.min !== undefined && r.min > s.seats)
          ctx.addIssue({
            code: 'custom',
            path: ['balance', i, 'min'],
            message: `${r.group}: at least ${r.min} of ${s.seats} seats cannot be met`,
          });
      });
    }),
  seatsBelowOptions: true,
  fields: [
    seatsField(true),
    {
      key: 'rules',
      label: 'STV rules',
      short: 'STV rules',
      input: 'choice',
      choices: Object.entries(RULES),
      prefill: true,
    },
    {
      key: 'balance',
      label: 'Balance rules (optional)',
      short: 'balance rules',
      hint: 'One rule a line: a group, its seats, its candidates as the options are written. For example "women; at least 2; Dora, Eve, Fay" or "North; at least 1 and at most 2; Ann, Bob". See docs/elections.md for how the count keeps them.',
      input: 'lines',
      format: balanceLines,
      parse: parseBalanceLines,
    },
  ],
  cli: [
    { flag: 'rules', option: 'rules', description: 'STV rules', value: { choices: RULE_NAMES }, required: true },
    {
      flag: 'balance',
      option: 'balance',
      description: 'balance rules, separated by "|": "women; at least 1; Dora, Eve | North; at most 2; Ann, Bob"',
      value: { lines: parseBalanceLines },
    },
  ],
  seats: (s) => s.seats,
  limits: () => ({}),
  describe: (s) => [
    ...seatsWords(s.seats, true),
    RULES[s.rules],
    ...(s.balance?.length ? [`balance: ${s.balance.map((r) => ruleWords(r)).join('; ')}`] : []),
  ],
  engine: (s): { readonly rules: StvRules; readonly balance?: ReadonlyArray<BalanceRule> } => ({
    rules: s.rules,
    ...(s.balance?.length ? { balance: s.balance } : {}),
  }),
  optionIssues: (s, labels) =>
    (s.balance ?? [])
      .flatMap((r, i) => {
        const issues: Array<{ path: Array<string | number>; message: string }> = [];
        r.candidates.forEach((c, j) => {
          if (!labels.includes(c))
            issues.push({
              path: ['balance', i, 'candidates', j],
              message: `${r.group}: "${c}" is not one of the options`,
            });
        });
        if (r.min !== undefined && r.min > r.candidates.length)
          issues.push({
            path: ['balance', i, 'min'],
            message: `${r.group}: at least ${r.min} seats, but the group has ${r.candidates.length} candidate(s)`,
          });
        return issues;
      })
      .concat(balanceFits(s, labels)),
  count: (election, seed, options) => {
    if (!RULE_NAMES.includes(options.rules))
      throw new RangeError(`stv needs rules: scottish, ers97 or meek, not ${JSON.stringify(options.rules)}`);
    return countStv(election, options.rules, seed, options.balance ?? []);
  },
});
