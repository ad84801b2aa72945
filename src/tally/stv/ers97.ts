import type { CountOutcome, CountSetup } from './record';
export function countErs97(_setup: CountSetup): CountOutcome {
  throw new Error('ers97: not yet');
}
