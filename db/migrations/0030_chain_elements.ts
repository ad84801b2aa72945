import { type Kysely, sql } from 'kysely';

/*
 * The chainer looks up the votes this server cast by their element (src/services/chain.ts,
 * CastWitness): whether the chain already holds them, without reading the whole chain.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index chain_elements on box.chain (ballot_id, element)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index box.chain_elements`.execute(db);
}
