import { z } from 'zod';
import { countStv } from '../tally/stv/index';
import type { StvRules } from '../tally/types';
import { seats, seatsField, seatsWords } from './common';
import { defineMethod } from './types';

const RULES: Record<StvRules, string> = {
  scottish: 'Scottish STV (2007 rules, 5 decimal places)',
  ers97: 'ERS97 (Electoral Reform Society)',
  meek: 'Meek (computer count)',
};
const RULE_NAMES = Object.keys(RULES) as [StvRules, ...StvRules[]];

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
  settings: z.object({ seats, rules: z.enum(RULE_NAMES).default('scottish') }),
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
  ],
  cli: [{ flag: 'rules', option: 'rules', description: 'STV rules', value: { choices: RULE_NAMES }, required: true }],
  seats: (s) => s.seats,
  limits: () => ({}),
  describe: (s) => [...seatsWords(s.seats, true), RULES[s.rules]],
  engine: (s): { readonly rules: StvRules } => ({ rules: s.rules }),
  count: (election, seed, options) => {
    if (!RULE_NAMES.includes(options.rules))
      throw new RangeError(`stv needs rules: scottish, ers97 or meek, not ${JSON.stringify(options.rules)}`);
    return countStv(election, options.rules, seed);
  },
});
