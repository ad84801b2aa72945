import os from 'node:os';

/**
 * The roll worker's first import, so that it runs before the thread loads anything else:
 * the thread parses flat out while the server's own thread answers requests, and on Linux
 * a thread's priority is its own. At the lowest priority, the parse (and the loading of its
 * modules) gives way whenever the event loop has work; on two cores the loop otherwise
 * waited its turn behind the parse and PostgreSQL.
 */
try {
  os.setPriority(19);
} catch {
  // Not allowed here (some sandboxes): the parse then runs at the server's priority.
}
