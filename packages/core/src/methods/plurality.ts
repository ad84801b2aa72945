import { countPlurality } from '../tally/methods/marks';
import { noSettings } from './common';
import { defineMethod } from './types';

export const plurality = defineMethod({
  name: 'plurality',
  answer: 'choice',
  labels: {
    name: 'Single choice (first past the post)',
    hint: 'Each member chooses one option; the most votes wins.',
    sheet: 'Plurality',
    figure: 'votes',
  },
  ...noSettings,
  count: (election, seed) => countPlurality(election, seed),
});
