import { countIrv } from '../tally/methods/irv';
import { versionsSettingsSchema } from '../domain/amendments';
import { noSettings } from './common';
import { defineMethod } from './types';

export const irv = defineMethod({
  name: 'irv',
  answer: 'ranking',
  labels: {
    name: 'Instant runoff (ranked, one winner)',
    hint: 'Each member ranks the options; the last is excluded round by round until one has a majority.',
    sheet: 'Instant-runoff vote',
    figure: 'first preferences',
    quota: 'Half of continuing votes',
    roundsAlways: true,
  },
  ...noSettings,
  // An amended question's options, ranked over every version: counted over the adopted version's (docs/proposals.md).
  settings: noSettings.settings.extend({ versions: versionsSettingsSchema.optional() }),
  count: (election, seed) => countIrv(election, seed),
});
