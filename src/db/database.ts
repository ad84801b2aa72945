import { Kysely, type LogEvent, type Migration, Migrator, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { migrations } from '../../db/migrations/index';
import type { Database } from './schema';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** A database handle that may or may not be inside a transaction. */
export type Queryable = Kysely<Database>;

// numeric stays a string (exact); bigint counts become numbers (they are row counts).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// A date is a calendar day, not an instant: keep 'YYYY-MM-DD' rather than a local-midnight Date.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function createDb(
  connectionString: string,
  opts: {
    max?: number;
    /** How long to wait for a connection, new or from the pool, before failing (ms; 5,000 by default). */
    connectTimeoutMs?: number;
    /** Called with each statement's duration (ms, from sending it to its result) and text, failed ones included; for measurements. */
    onQuery?: (ms: number, sql: string) => void;
  } = {},
): Db {
  // A database that cannot be reached fails a request in seconds (a clean 503), not after
  // the operating system's TCP timeout.
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
  });
  // A dropped connection (e.g. the database restarting) must not crash the process.
  pool.on('error', () => undefined);
  // The pool listens for errors only on idle clients; a client in use (say, in a
  // transaction between statements) whose connection drops emits an 'error' with no
  // listener, which would crash the process. Its query fails anyway, and the pool
  // discards it on release.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    prepareMarked(client);
  });
  const onQuery = opts.onQuery;
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    ...(onQuery ? { log: (event: LogEvent) => onQuery(event.queryDurationMillis, event.query.sql) } : {}),
  });
}

/**
 * The mark of a statement worth preparing: raw SQL that begins `/* prepared:name *\/`
 * (the name unique to that text). Each connection parses and plans it once, then only
 * binds and executes it, as pgbench -M prepared does the vote it is measured against.
 * Only hot statements of fixed text are marked: a connection keeps every statement it
 * prepared for as long as it lives.
 */
const PREPARED = /^\/\* prepared:([a-z][a-z0-9_]*) \*\//;

function preparedName(text: string): string | undefined {
  return PREPARED.exec(text)?.[1];
}

/** Sends a connection's marked statements as named (prepared) ones; everything else as before. */
function prepareMarked(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    const name =
      typeof text === 'string' && args.length === 2 && Array.isArray(values) ? preparedName(text) : undefined;
    return name ? query({ name, text, values }) : query(...args);
  }) as typeof client.query;
}

/** Migrates to the latest schema; `known` is every migration this checkout has (a test
 * passes an older checkout's set). */
export async function migrateToLatest(db: Db, known: Record<string, Migration> = migrations): Promise<string[]> {
  const migrator = new Migrator({
    db: db as unknown as Kysely<unknown>,
    provider: { getMigrations: async () => known },
    // Migrations land when their branch merges, not in the order of their numbers: a
    // database may already hold one numbered after one it has not run (tests/migrations.test.ts).
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
