import { type Kysely, sql } from 'kysely';

/*
 * Roll files uploaded on the roll page, kept between the preview and the apply
 * (src/services/roll-uploads.ts), so that the preview refers to the file instead of
 * carrying it in the page. Each belongs to the session that uploaded it (and goes with it),
 * expires after an hour, and is deleted once applied. The bytes are kept in parts of about
 * a megabyte, written as the upload streams in and read back one at a time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table roll_uploads (
      id uuid primary key default gen_random_uuid(),
      session_hash bytea not null references sessions (id_hash) on delete cascade,
      organisation_id uuid not null references organisations (id) on delete cascade,
      -- 'file': in the encoding the organiser chooses; 'pasted': text from the form, always UTF-8.
      source text not null check (source in ('file', 'pasted')),
      bytes bigint not null default 0,
      complete boolean not null default false,
      expires_at timestamptz not null
    );
    create index roll_uploads_expiry on roll_uploads (expires_at);
    create table roll_upload_parts (
      upload_id uuid not null references roll_uploads (id) on delete cascade,
      seq int not null,
      data bytea not null,
      primary key (upload_id, seq)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table roll_upload_parts; drop table roll_uploads`.execute(db);
}
