import { type Kysely, sql } from 'kysely';

/*
 * The foundation. Every id is a random UUID (v4): no sequences and no time-ordered ids,
 * because an ordered id on a vote would tell when it was cast. The ballot box lives in
 * its own schema, `box`, and shares no column with the roll or the tokens: a vote row
 * holds the ballot, the branch (for the delegate model), the weight, a receipt code and
 * the answers, and nothing else — no member, no token, no timestamp.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table organisations (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 200),
      created_at timestamptz not null default now()
    );

    create table organisers (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id),
      email text not null,
      name text not null,
      password_hash text not null,
      created_at timestamptz not null default now()
    );
    create unique index organisers_email on organisers (lower(email));

    -- One-time links that create an organisation and its first organiser.
    create table setup_links (
      token_hash bytea primary key,
      used_at timestamptz,
      created_at timestamptz not null default now()
    );

    create table sessions (
      id_hash bytea primary key,
      organiser_id uuid not null references organisers(id) on delete cascade,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index sessions_organiser on sessions (organiser_id);

    create table api_tokens (
      id uuid primary key default gen_random_uuid(),
      organiser_id uuid not null references organisers(id) on delete cascade,
      name text not null,
      token_hash bytea not null unique,
      created_at timestamptz not null default now(),
      last_used_at timestamptz
    );

    create table branches (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id),
      name text not null,
      unique (organisation_id, name)
    );

    create table members (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id),
      branch_id uuid not null references branches(id),
      email text not null,
      name text not null,
      member_number text,
      -- Exact decimal, as imported ("1", "0.5").
      weight numeric not null default 1 check (weight > 0),
      joined_on date,
      removed_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index members_email on members (organisation_id, lower(email)) where removed_at is null;
    create unique index members_number on members (organisation_id, member_number) where removed_at is null and member_number is not null;
    create index members_branch on members (branch_id);

    create type ballot_status as enum ('draft', 'open', 'closed', 'published');

    create table ballots (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisations(id),
      title text not null,
      description text not null default '',
      opens_at timestamptz not null,
      closes_at timestamptz not null,
      status ballot_status not null default 'draft',
      opened_at timestamptz,
      closed_at timestamptz,
      published_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (closes_at > opens_at)
    );
    create index ballots_organisation on ballots (organisation_id);

    create table questions (
      id uuid primary key default gen_random_uuid(),
      ballot_id uuid not null references ballots(id) on delete cascade,
      position int not null,
      title text not null,
      description text not null default '',
      method text not null,
      settings jsonb not null default '{}',
      unique (ballot_id, position)
    );

    create table options (
      id uuid primary key default gen_random_uuid(),
      question_id uuid not null references questions(id) on delete cascade,
      position int not null,
      label text not null,
      description text not null default '',
      unique (question_id, position)
    );

    -- The electorate of a ballot: one row per eligible member, holding only the hash of
    -- the member's voting token. The branch and weight are fixed when the token is issued.
    create table voting_tokens (
      ballot_id uuid not null references ballots(id),
      member_id uuid not null references members(id),
      branch_id uuid not null references branches(id),
      weight numeric not null,
      token_hash bytea not null unique,
      -- The token itself, sealed with the server's key, so reminders can carry the same
      -- link. Useless without the key; wiped when the ballot closes.
      sealed_token text,
      issue_number int not null default 1,
      used boolean not null default false,
      primary key (ballot_id, member_id)
    );
    create index voting_tokens_ballot_branch on voting_tokens (ballot_id, branch_id);

    create schema box;
    create table box.votes (
      id uuid primary key default gen_random_uuid(),
      ballot_id uuid not null references ballots(id),
      branch_id uuid not null references branches(id),
      weight numeric not null,
      receipt text not null unique,
      answers jsonb not null
    );
    create index votes_ballot on box.votes (ballot_id);

    create type mail_status as enum ('queued', 'sending', 'sent', 'failed');

    -- The durable outbox. A message's secret part (a voting link) is stored sealed with
    -- the server's key and wiped once the message is sent.
    create table mail_outbox (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid references organisations(id),
      ballot_id uuid references ballots(id),
      member_id uuid references members(id),
      kind text not null,
      recipient text not null,
      payload jsonb not null,
      sealed_secret text,
      status mail_status not null default 'queued',
      attempts int not null default 0,
      next_attempt_at timestamptz not null default now(),
      locked_until timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      sent_at timestamptz
    );
    create index mail_outbox_due on mail_outbox (next_attempt_at) where status in ('queued', 'sending');
    create index mail_outbox_ballot on mail_outbox (ballot_id, kind, status);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table mail_outbox; drop type mail_status; drop schema box cascade;
    drop table voting_tokens, options, questions, ballots; drop type ballot_status;
    drop table members, branches, api_tokens, sessions, setup_links, organisers, organisations;
  `.execute(db);
}
