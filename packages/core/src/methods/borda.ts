import { z } from 'zod';
import { type BordaOptions, countBorda } from '../tally/methods/borda';
import { seats, seatsField, seatsWords } from './common';
import { defineMethod } from './types';

const VARIANTS = {
  standard: 'Standard (n−1, n−2, … points)',
  dowdall: 'Dowdall (1, 1/2, 1/3, … points)',
} as const;

export const borda = defineMethod({
  name: 'borda',
  answer: 'ranking',
  labels: {
    name: 'Borda count (ranked, points by rank)',
    hint: 'Each member ranks the options; points by rank decide.',
    sheet: 'Borda count',
    figure: 'first preferences',
    column: 'Points',
  },
  settings: z.object({ seats: seats.default(1), variant: z.enum(['standard', 'dowdall']).default('standard') }),
  seatsBelowOptions: true,
  fields: [
    seatsField(false),
    {
      key: 'variant',
      label: 'Borda points',
      short: 'Borda points',
      input: 'choice',
      choices: Object.entries(VARIANTS),
    },
  ],
  cli: [{ flag: 'borda', option: 'variant', description: 'Borda variant', value: { choices: Object.keys(VARIANTS) } }],
  seats: (s) => s.seats,
  limits: () => ({}),
  describe: (s) => [...seatsWords(s.seats, false), VARIANTS[s.variant]],
  engine: (s): BordaOptions => ({ variant: s.variant }),
  count: (election, seed, options) => countBorda(election, seed, options),
});
