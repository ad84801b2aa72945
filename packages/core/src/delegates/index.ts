/**
 * The delegate question, as a library: how a delegate conference would have decided a
 * ballot, beside the members' own vote, with each branch's voting power. Pure and exact.
 *
 *   compareConference(input)         one question: OMOV and conference side by side
 *   apportion(claimants, options)    share N delegates by a population (7 methods, bounds)
 *   apportionByBands(claimants, t)   delegates from a rule-book band table
 *   votingPower(weights, quota)      Banzhaf and Shapley–Shubik of a weighted voting game
 *   questionParadoxes(input)         Anscombe, Ostrogorski, referendum paradox over yes/no questions
 *   disproportionality(votes, seats) Gallagher and Loosemore–Hanby indices
 *   exhaustiveBallot, majorityRequirement, sectionalCardVote   conference procedures
 */
export {
  compareConference,
  type DelegateSettings,
  type ConferenceInput,
  type ConferenceComparison,
  type BranchInput,
  type Basis,
  type ConferenceRule,
  type OmovSide,
  type ConferenceSide,
  type Margin,
  type BranchReport,
  type BranchPower,
  type PowerReport,
  type LotRecord,
} from './conference';
export {
  apportion,
  seatsByName,
  isApportionmentMethod,
  APPORTIONMENT_METHODS,
  METHOD_NAMES,
  type ApportionmentMethod,
  type ApportionOptions,
  type Apportionment,
  type ApportionmentTie,
  type Claimant,
} from './apportion';
export { apportionByBands, bandDelegates, parseBandTable, type BandTable, type DelegateBand } from './bands';
export { describeExtras, extraDelegates, unitExtraDelegates, type ExtraRule } from './extras';
export { attendanceReport, meetingDistribution, type AttendanceReport, type MeetingBranch } from './attendees';
export {
  drawCouncil,
  councilSeed,
  canonicalBox,
  type CouncilModel,
  type CouncilReport,
  type BoxBallot,
} from './sortition';
export {
  votingPower,
  banzhafSwings,
  shapleyShubikExact,
  type PowerIndices,
  type PowerOptions,
  type PowerValue,
} from './power';
export {
  questionParadoxes,
  type QuestionParadoxInput,
  type QuestionParadoxes,
  type QuestionVoter,
  type QuestionOutcome,
} from './paradoxes';
export { disproportionality, type Disproportionality } from './disproportionality';
export type { Flip, FlipChange } from './flip';
export {
  approvalFlip,
  scoreFlip,
  rankedFlip,
  applyChanges,
  flippedForCertain,
  type MethodFlip,
  type PaperChange,
} from './method-flip';
export {
  comparisonFlip,
  conferenceFlip,
  membersFlip,
  flipSummary,
  paperWords,
  MAX_COUNTS,
  type ComparisonFlip,
  type FlipFinding,
  type FlipChangeReport,
} from './conference-flip';
export { DelegateError, type Count } from './numbers';
export {
  exhaustiveBallot,
  majorityRequirement,
  sectionalCardVote,
  type Delegation,
  type ExhaustiveResult,
  type MajorityResult,
  type NoMajority,
  type ProcedureRound,
  type Section,
  type CardVoteResult,
} from './procedures';
export type { LotDependence, LotOutcome, PoolingCheck, PoolPart } from './conference';
