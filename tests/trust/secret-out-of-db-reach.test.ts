import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../src/platform/config';
import { resolveSecret, secretFileOf } from '../../src/processes/server';

/**
 * The database superuser tries to read development's generated secret from the server's
 * files, as `pg_read_file` and `COPY … FROM` let them. The data folder is laid out as the
 * embedded server needs it (its parent open to the `postgres` user), and a file left
 * readable there shows that the attack itself works.
 */
let dataDir: string;
let admin: Client;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omov-secret-'));
  // As the embedded server leaves DATA_DIR: the postgres user may enter it, to reach pg/.
  await fs.chmod(dataDir, 0o755);
  admin = new Client({ connectionString: process.env.OMOV_TEST_ADMIN_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const config = () => loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
const readAsSuperuser = async (file: string) =>
  (await admin.query<{ s: string }>('select pg_read_file($1) as s', [file])).rows[0]!.s;
const copyAsSuperuser = async (file: string) => {
  await admin.query('create temp table if not exists stolen (line text)');
  await admin.query(`copy stolen from ${admin.escapeLiteral(file)}`);
  return (await admin.query<{ line: string }>('select line from stolen')).rows.map((r) => r.line);
};

// Only where the database server runs as another user than the service can a file be kept
// from it; run as an ordinary user, docs/security.md says that the secret is not.
const separateUsers = os.userInfo().uid === 0;

test('the generated secret is out of reach of the database superuser', async () => {
  const secret = await resolveSecret(config());
  const file = secretFileOf(dataDir);
  expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  // The attack works on a file the postgres user may read…
  const bait = path.join(dataDir, 'readable.txt');
  await fs.writeFile(bait, 'readable\n', { mode: 0o644 });
  if (separateUsers) {
    expect(await readAsSuperuser(bait)).toBe('readable\n');
    // …and not on the secret, by either door.
    await expect(readAsSuperuser(file)).rejects.toThrow(/permission denied|could not open/i);
    await expect(copyAsSuperuser(file)).rejects.toThrow(/permission denied|could not open/i);
  } else {
    const doc = await fs.readFile(path.resolve(__dirname, '../../docs/security.md'), 'utf8');
    expect(doc).toMatch(/as an ordinary user[^.]*the embedded server can read the development secret/i);
  }
  // The same secret on the next start.
  expect(await resolveSecret(config())).toBe(secret);
});

test("a secret kept where earlier versions put it moves out of the database's reach, unchanged", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'omov-secret-old-'));
  try {
    await fs.writeFile(path.join(dir, 'secret'), 'an-old-development-secret-0123456789abcdef\n', { mode: 0o644 });
    const moved = await resolveSecret(loadConfig({ NODE_ENV: 'development', DATA_DIR: dir }));
    expect(moved).toBe('an-old-development-secret-0123456789abcdef');
    await expect(fs.stat(path.join(dir, 'secret'))).rejects.toThrow(/ENOENT/);
    expect((await fs.stat(secretFileOf(dir))).mode & 0o777).toBe(0o600);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
