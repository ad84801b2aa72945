import { z } from 'zod';
import { countScore, DEFAULT_MAX_SCORE, type ScoreOptions } from '../tally/methods/score';
import { seats, seatsField, seatsWords } from './common';
import { defineMethod } from './types';

export const score = defineMethod({
  name: 'score',
  answer: 'scores',
  labels: {
    name: 'Score (give each option a score)',
    hint: 'Each member scores each option from 0 to the maximum; the highest total wins.',
    sheet: 'Score (range) voting',
    figure: 'total score',
    column: 'Total score',
  },
  // One default highest score, the engine's: a question and an offline count agree on it.
  settings: z.object({
    seats: seats.default(1),
    maxScore: z.number().int().min(1).max(100).default(DEFAULT_MAX_SCORE),
  }),
  seatsBelowOptions: false,
  fields: [
    seatsField(false),
    {
      key: 'maxScore',
      label: 'Highest score',
      short: 'highest score',
      hint: 'Members score each option from 0 to this.',
      input: 'whole',
      min: 1,
      max: 100,
      prefill: true,
    },
  ],
  cli: [
    {
      flag: 'max-score',
      option: 'maxScore',
      description: `score: highest score allowed (default ${DEFAULT_MAX_SCORE})`,
      value: 'whole',
    },
  ],
  seats: (s) => s.seats,
  limits: (s) => ({ score: s.maxScore }),
  describe: (s) => [...seatsWords(s.seats, false), `scores 0 to ${s.maxScore}`],
  engine: (s): ScoreOptions => ({ maxScore: s.maxScore }),
  count: (election, seed, options) => countScore(election, seed, options),
});
