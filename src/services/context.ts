import type { Config } from '../platform/config';
import type { Db } from '../db/database';
import type { Logger } from '../platform/logger';
import type { Keyring } from '../platform/secrets';

/** What every service needs: the database, the configuration, the keys and a logger. */
export type AppContext = {
  db: Db;
  config: Config;
  keys: Keyring;
  log: Logger;
  /** Called after mail has been queued, so that this instance's sender looks at once. */
  mailQueued: () => void;
};
