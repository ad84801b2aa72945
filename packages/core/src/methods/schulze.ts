import { countSchulze } from '../tally/methods/condorcet';
import { agendaSettingsSchema } from '../domain/amendments';
import { seatsOnly } from './common';
import { defineMethod } from './types';

export const schulze = defineMethod({
  name: 'schulze',
  answer: 'ranking',
  pairwise: true,
  labels: {
    name: 'Schulze (ranked, Condorcet)',
    hint: "Each member ranks the options; the option that beats every other head to head wins, with Schulze's rule for cycles.",
    sheet: 'Schulze',
    figure: 'first preferences',
  },
  ...seatsOnly,
  // An amended motion's question also declares the conference's agenda (docs/proposals.md#amendments).
  settings: seatsOnly.settings.extend({ agenda: agendaSettingsSchema.optional() }),
  count: (election, seed) => countSchulze(election, seed),
});
