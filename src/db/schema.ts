import type { ColumnType, Generated } from 'kysely';
import type { BallotStatus } from '@omov/core/domain/lifecycle';

/** Kysely's view of the tables created under db/migrations. */
type CreatedAt = ColumnType<Date, never, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** numeric comes back from pg as a string, which keeps it exact. */
type Numeric = ColumnType<string, string, string>;

export type { BallotStatus };
/** 'handed': given to the mail server, its answer not yet recorded; never sent again (src/processes/mail-worker.ts). */
export type MailStatus = 'queued' | 'sending' | 'handed' | 'sent' | 'failed' | 'bounced';
export type StaffRole = 'organiser' | 'auditor';
/** A staged roll upload's bytes: a file (in the encoding the organiser chooses) or text pasted into the form (UTF-8). */
export type RollUploadSource = 'file' | 'pasted';
export type ReceiptPolicy = 'inclusion' | 'choices';
export type BallotModeKind = 'office' | 'verifiable';
export type VerifiableEventType =
  'Setup' | 'Ballot' | 'EndBallots' | 'EncryptedTally' | 'Shuffle' | 'EndShuffles' | 'PartialDecryption' | 'Result';

export interface Database {
  organisations: { id: Generated<string>; name: string; created_at: CreatedAt };
  organisers: {
    id: Generated<string>;
    organisation_id: string;
    email: string;
    name: string;
    password_hash: string;
    created_at: CreatedAt;
    role: ColumnType<StaffRole, StaffRole | undefined, StaffRole>;
    ballot_id: ColumnType<string | null, string | null | undefined, string | null>;
  };
  setup_links: {
    token_hash: Buffer;
    used_at: Timestamp | null;
    created_at: CreatedAt;
    organisation_id: ColumnType<string | null, string | null | undefined, never>;
    role: ColumnType<StaffRole, StaffRole | undefined, never>;
    ballot_id: ColumnType<string | null, string | null | undefined, never>;
    email: ColumnType<string | null, string | null | undefined, never>;
  };
  sessions: { id_hash: Buffer; organiser_id: string; expires_at: Timestamp; created_at: CreatedAt };
  roll_uploads: {
    id: Generated<string>;
    session_hash: Buffer;
    organisation_id: string;
    source: RollUploadSource;
    bytes: ColumnType<string, number | undefined, number>;
    complete: ColumnType<boolean, boolean | undefined, boolean>;
    expires_at: Timestamp;
  };
  roll_upload_parts: { upload_id: string; seq: number; data: Buffer };
  api_tokens: {
    id: Generated<string>;
    organiser_id: string;
    name: string;
    token_hash: Buffer;
    created_at: CreatedAt;
    last_used_at: Timestamp | null;
  };
  branches: { id: Generated<string>; organisation_id: string; name: string };
  members: {
    id: Generated<string>;
    organisation_id: string;
    branch_id: string;
    email: string;
    name: string;
    member_number: string | null;
    weight: ColumnType<string, string | undefined, string>;
    joined_on: ColumnType<string | null, string | null | undefined, string | null>;
    removed_at: Timestamp | null;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, never, Date | string>;
  };
  /** "Forgot password" links: only the hash of each, single use, expiring. */
  password_resets: {
    token_hash: Buffer;
    organiser_id: string;
    expires_at: Timestamp;
    used_at: Timestamp | null;
    created_at: CreatedAt;
  };
  ballots: {
    id: Generated<string>;
    organisation_id: string;
    title: string;
    description: string;
    opens_at: Timestamp;
    closes_at: Timestamp;
    status: ColumnType<BallotStatus, BallotStatus | undefined, BallotStatus>;
    opened_at: Timestamp | null;
    closed_at: Timestamp | null;
    published_at: Timestamp | null;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, never, Date | string>;
    k: ColumnType<number, number | undefined, number>;
    receipt_policy: ColumnType<ReceiptPolicy, ReceiptPolicy | undefined, ReceiptPolicy>;
    voter_list_visible: ColumnType<boolean, boolean | undefined, boolean>;
    reminder_hours: ColumnType<number[], number[] | undefined, number[]>;
    delegate_settings: ColumnType<unknown, string | null | undefined, string | null>;
    units: ColumnType<unknown, never, string | null>;
    box_root: ColumnType<string | null, never, string | null>;
    counts_check: ColumnType<unknown, never, string | null>;
    eligibility: ColumnType<unknown, string | null | undefined, string | null>;
    randomise_options: ColumnType<boolean, boolean | undefined, boolean>;
    invitations_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    time_zone: ColumnType<string, string | undefined, string>;
    mode: ColumnType<BallotModeKind, BallotModeKind | undefined, BallotModeKind>;
    trustees: number | null;
    threshold: number | null;
    credential_authority: string | null;
    revoting: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  };
  turnout_history: { ballot_id: string; at: Timestamp; voted: number };
  ballot_trustees: {
    ballot_id: string;
    position: number;
    name: string;
    token_hash: Buffer;
    certificate: string | null;
    polynomial: string | null;
    verification_key: string | null;
  };
  ballot_election_keys: { ballot_id: string; trustees: string; public_key: string };
  ballot_credential_authorities: {
    ballot_id: string;
    token_hash: Buffer;
    election_uuid: string;
    /** The group the public credentials were checked in at their upload (migration 0046). */
    credentials_group: ColumnType<string | null, string | null | undefined, string | null>;
  };
  ballot_public_credentials: {
    ballot_id: string;
    credential: string;
    weight: ColumnType<string, string, string>;
    branch_id: string;
  };
  /** A verifiable ballot's Belenios events, hash-chained and append-only (migration 0015). */
  verifiable_events: {
    ballot_id: string;
    height: number;
    type: VerifiableEventType;
    event: string;
    hash: string;
    data: string[];
    credential: string | null;
    tracker: string | null;
    trustee: number | null;
    at: CreatedAt;
  };
  /** A verifiable ballot's pools of branches and their encrypted sub-tallies, set at close (migration 0047). */
  verifiable_branch_tallies: { ballot_id: string; section: string; at: CreatedAt };
  /** Each trustee's partial decryptions of the pools' sub-tallies (a JSON list, in the pools' order). */
  verifiable_pool_decryptions: { ballot_id: string; trustee: number; pools: string; at: CreatedAt };
  /** Each trustee's pool proofs of their shuffle (per ranked question, per pool: a proof of shuffle). */
  verifiable_pool_shuffles: { ballot_id: string; trustee: number; pools: string; at: CreatedAt };
  /** Counted once at close: the results' canonical JSON and its SHA-256 (hex). */
  ballot_results: {
    ballot_id: string;
    results: string;
    results_hash: string;
    /** Per branch: { branch, eligible, voted } as counted at close; null before 0036 and for verifiable ballots. */
    turnout: ColumnType<unknown, string | null | undefined, never>;
    counted_at: CreatedAt;
  };
  /** A ballot's own wording of its emails; null: the default text (emails/). */
  ballot_mail: {
    ballot_id: string;
    invitation_subject: string | null;
    invitation_opening: string | null;
    reminder_subject: string | null;
    reminder_opening: string | null;
    reply_to: string | null;
    confirm_votes: ColumnType<boolean, boolean | undefined, boolean>;
    updated_at: ColumnType<Date, never, Date | string>;
  };
  ballot_reminders: { ballot_id: string; hours_before: number; queued_at: CreatedAt };
  audit_log: {
    organisation_id: string;
    position: ColumnType<number, number, never>;
    at: ColumnType<Date, never, never>;
    actor: string;
    action: string;
    subject: string | null;
    details: ColumnType<unknown, string, never>;
    prev_hash: string;
    hash: string;
  };
  rate_limits: { key: string; window_start: Timestamp; hits: number };
  questions: {
    id: Generated<string>;
    ballot_id: string;
    position: number;
    title: string;
    description: string;
    method: string;
    settings: ColumnType<unknown, string, string>;
    /** Declared delegate comparisons (JSON array), fixed at open with the question. */
    comparisons: ColumnType<unknown, string | undefined, string>;
  };
  options: { id: Generated<string>; question_id: string; position: number; label: string; description: string };
  voting_tokens: {
    ballot_id: string;
    member_id: string;
    branch_id: string;
    weight: Numeric;
    /** Null once the ballot has closed: nothing then pairs a member with a token hash. */
    token_hash: Buffer | null;
    sealed_token: string | null;
    issue_number: ColumnType<number, number | undefined, number>;
    used: ColumnType<boolean, boolean | undefined, boolean>;
  };
  /** Every token hash a ballot issued, with no member; `used` is set at close. */
  issued_tokens: { ballot_id: string; token_hash: Buffer; at_open: boolean; used: boolean | null };
  /** An open in flight and how far it has come (written outside the open's transaction). */
  ballot_openings: { ballot_id: string; total: number; done: number; updated_at: Date };
  problem_reports: {
    id: Generated<string>;
    ballot_id: string;
    received_at: CreatedAt;
    text: string;
    text_hash: string;
  };
  proposal_rules: {
    id: Generated<string>;
    organisation_id: string;
    share_percent: Numeric | null;
    min_branches: number | null;
    combine: 'either' | 'both';
    window_days: number;
    schedule_days: number;
    k: number;
    /** How long amendments may be tabled once a motion qualifies; null: none (0033). */
    amendment_days: ColumnType<number | null, number | null | undefined, never>;
    set_at: CreatedAt;
    set_by: string;
  };
  proposal_links: {
    token_hash: Buffer;
    organisation_id: string;
    member_id: string;
    expires_at: Timestamp;
    created_at: CreatedAt;
  };
  proposals: {
    id: Generated<string>;
    organisation_id: string;
    rules_id: string;
    parent_id: string | null;
    kind: 'motion' | 'question' | 'amendment' | 'against';
    title: string;
    text: string;
    /** The options' labels, for a question (JSON text on the way in). */
    options: ColumnType<string[] | null, string | null, string | null>;
    /** Null for an amendment a branch tabled through its secretary (branch_id, 0038). */
    proposer_member_id: string | null;
    branch_id: string | null;
    status: ColumnType<
      'draft' | 'gathering' | 'qualified' | 'scheduled',
      'draft' | undefined,
      'gathering' | 'qualified' | 'scheduled'
    >;
    created_at: CreatedAt;
    started_at: Timestamp | null;
    closes_at: Timestamp | null;
    supporters_needed: number | null;
    branches_needed: number | null;
    qualified_at: Timestamp | null;
    schedule_by: Timestamp | null;
    ballot_id: string | null;
    scheduled_at: Timestamp | null;
    case_for: string | null;
    /** On a motion: when its amendment period closes (0033). */
    amendments_close_at: ColumnType<Date | null, never, Date | null>;
    /** The support it qualified with, per branch pooled under k (0042): fixed once kept. */
    qualified_support: ColumnType<unknown, never, string | null>;
    /** A case against a question the office put on a draft ballot (0040): the ballot, and the question there now. */
    question_ballot_id: string | null;
    question_id: string | null;
    /** When the scheduler marked it lapsed, and a qualified one overdue (0044): set once. */
    lapsed_at: ColumnType<Date | null, never, Date>;
    overdue_at: ColumnType<Date | null, never, Date>;
  };
  branch_secretaries: {
    branch_id: string;
    organisation_id: string;
    name: string;
    email: string;
    token_hash: Buffer;
    named_at: CreatedAt;
    named_by: string;
  };
  /** option_id null: the meeting took no position. */
  branch_positions: {
    question_id: string;
    branch_id: string;
    option_id: string | null;
    attendance: number;
    recorded_at: ColumnType<Date, never, Date | string>;
  };
  proposal_signatures: { proposal_id: string; signer: Buffer; branch_id: string };
  /** Elections with nominations (0037): their rules are fixed once created (a trigger). */
  elections: {
    id: Generated<string>;
    organisation_id: string;
    title: string;
    description: string;
    seats: number;
    opens_at: Timestamp;
    closes_at: Timestamp;
    members_needed: number | null;
    branches_needed: number | null;
    combine: 'either' | 'both';
    k: number;
    statement_max: number;
    /** The balance groups (JSON text on the way in). */
    groups: ColumnType<Array<{ group: string; min?: number; max?: number }>, string, never>;
    created_at: CreatedAt;
    created_by: string;
    order_seed: string | null;
    /** The candidates in their drawn order, fixed when first put on a ballot (JSON text on the way in). */
    candidates: ColumnType<
      Array<{ nomineeId: string; label: string; statement: string; groups: string[] }> | null,
      never,
      string
    >;
    ballot_id: string | null;
    scheduled_at: Timestamp | null;
    /** The STV rules the candidates' question is counted by (0041). */
    rules: ColumnType<'scottish' | 'meek' | 'ers97', 'scottish' | 'meek' | 'ers97' | undefined, never>;
    /** When the members were mailed that nominations are open (0041). */
    open_mailed_at: ColumnType<Date | null, never, Date | string | null>;
  };
  nominees: {
    id: Generated<string>;
    election_id: string;
    member_id: string;
    branch_id: string;
    name: string;
    email: string;
    token_hash: Buffer;
    status: ColumnType<'pending' | 'accepted' | 'declined', never, 'pending' | 'accepted' | 'declined'>;
    groups: ColumnType<string[], never, string>;
    statement: string | null;
    answered_at: Timestamp | null;
    created_at: CreatedAt;
    /** When the nominee was mailed that their nominations reach the threshold (0041): once. */
    threshold_mailed_at: ColumnType<Date | null, never, Date | string | null>;
  };
  nominations: { nominee_id: string; nominator: Buffer; kind: 'member' | 'branch'; branch_id: string };
  question_statements: {
    question_id: string;
    side: 'for' | 'against';
    text: string;
    author: 'office' | 'proposers' | 'members';
    proposal_id: string | null;
  };
  'box.sealed_votes': { id: Generated<string>; ballot_id: string; sealed: string; chained: Generated<boolean> };
  /** The box's chain: the SHA-256 of each sealed vote, by position (from 1). */
  'box.chain': { ballot_id: string; position: number; element: string };
  /** The server's signed checkpoints over the chain: (count, head). */
  'box.checkpoints': { ballot_id: string; count: number; head: string; signature: string };
  /** Under the `inclusion` policy, the receipts, apart from the votes. */
  'box.receipts': { ballot_id: string; receipt: string };
  'box.votes': {
    id: Generated<string>;
    ballot_id: string;
    unit: string;
    weight: Numeric;
    /** Null under the `inclusion` policy: the receipt is in box.receipts. */
    receipt: string | null;
    answers: ColumnType<unknown, string, never>;
    /** In the record's published order, from 0; null for votes of ballots closed before it was kept. */
    position: ColumnType<number | null, number | undefined, never>;
  };
  mail_outbox: {
    id: Generated<string>;
    organisation_id: string | null;
    ballot_id: string | null;
    member_id: string | null;
    kind: string;
    recipient: string;
    payload: ColumnType<unknown, string, string>;
    sealed_secret: string | null;
    status: ColumnType<MailStatus, MailStatus | undefined, MailStatus>;
    attempts: ColumnType<number, number | undefined, number>;
    next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
    locked_until: Timestamp | null;
    last_error: string | null;
    created_at: CreatedAt;
    sent_at: Timestamp | null;
  };
}
