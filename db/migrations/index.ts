import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation';
import * as m0002 from './0002_trust';
import * as m0003 from './0003_eligibility_and_timing';
import * as m0004 from './0004_bounces';
import * as m0005 from './0005_ballot_time_zone';
import * as m0006 from './0006_mail_handover';
import * as m0007 from './0007_stored_results';
import * as m0008 from './0008_commitments';
import * as m0010 from './0010_mail_and_resets';
import * as m0011 from './0011_problem_reports';
import * as m0014 from './0014_verifiable_ballots';
import * as m0015 from './0015_verifiable_board';
import * as m0017 from './0017_declared_comparisons';
import * as m0018 from './0018_proposals';
import * as m0019 from './0019_box_chain';
import * as m0021 from './0021_roll_uploads';
import * as m0022 from './0022_ballot_openings';
import * as m0026 from './0026_published_order';
import * as m0028 from './0028_verifiable_revoting';
import * as m0030 from './0030_chain_elements';
import * as m0033 from './0033_amendments';
import * as m0034 from './0034_branch_positions';
import * as m0036 from './0036_stored_turnout';
import * as m0037 from './0037_nominations';
import * as m0038 from './0038_members_case_against';
import * as m0039 from './0039_open_bulk_keys';
import * as m0040 from './0040_case_against_office_questions';
import * as m0041 from './0041_election_rules';
import * as m0042 from './0042_qualified_support';
import * as m0044 from './0044_proposal_events';
import * as m0045 from './0045_verifiable_shuffles';
import * as m0046 from './0046_credentials_group';
import * as m0047 from './0047_verifiable_branches';
import * as m0048 from './0048_verifiable_pool_shuffles';
import * as m0049 from './0049_question_amendments';

/** Every migration, by name, in order. Listed here rather than read from disk so that the
 * same list works from the TypeScript sources (tests) and the compiled build. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_trust': m0002,
  '0003_eligibility_and_timing': m0003,
  '0004_bounces': m0004,
  '0005_ballot_time_zone': m0005,
  '0006_mail_handover': m0006,
  '0007_stored_results': m0007,
  '0008_commitments': m0008,
  '0010_mail_and_resets': m0010,
  '0011_problem_reports': m0011,
  '0014_verifiable_ballots': m0014,
  '0015_verifiable_board': m0015,
  '0017_declared_comparisons': m0017,
  '0018_proposals': m0018,
  '0019_box_chain': m0019,
  '0021_roll_uploads': m0021,
  '0022_ballot_openings': m0022,
  '0026_published_order': m0026,
  '0028_verifiable_revoting': m0028,
  '0030_chain_elements': m0030,
  '0033_amendments': m0033,
  '0034_branch_positions': m0034,
  '0036_stored_turnout': m0036,
  '0037_nominations': m0037,
  '0038_members_case_against': m0038,
  '0039_open_bulk_keys': m0039,
  '0040_case_against_office_questions': m0040,
  '0041_election_rules': m0041,
  '0042_qualified_support': m0042,
  '0044_proposal_events': m0044,
  '0045_verifiable_shuffles': m0045,
  '0046_credentials_group': m0046,
  '0047_verifiable_branches': m0047,
  '0048_verifiable_pool_shuffles': m0048,
  '0049_question_amendments': m0049,
};
