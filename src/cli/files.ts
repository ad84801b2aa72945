import fs from 'node:fs/promises';
import { InputError } from './errors';

/* Files the verifiable mode's commands read and write (omov trustee, omov credentials). */

/** A file's text, or an error that names it. */
export async function read(file: string, what: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    throw new InputError(`cannot read ${what} from ${file}`);
  }
}

/** Writes a secret for the trustee's eyes only; never over an existing file, whose secret would be lost. */
export async function writeSecret(file: string, text: string): Promise<void> {
  try {
    await fs.writeFile(file, `${text}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
    throw new InputError(exists ? `${file} exists already: choose another file` : `cannot write ${file}`);
  }
}

/** A JSON array in a file, each item parsed (as its text) by `parse`; an error names the file and the item. */
export async function readList<T>(file: string, what: string, parse: (text: string) => T): Promise<T[]> {
  const text = await read(file, what);
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw new InputError(`${file}: not JSON`);
  }
  if (!Array.isArray(items) || items.length === 0) throw new InputError(`${file}: a JSON list of ${what} is expected`);
  return items.map((item, i) => {
    try {
      return parse(JSON.stringify(item));
    } catch (err) {
      throw new InputError(`${file}: item ${i + 1}: ${(err as Error).message}`);
    }
  });
}

/** The core's checks throw RangeError, TypeError or SyntaxError with a sentence: the user's input was wrong. */
export function asInput<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError || err instanceof SyntaxError)
      throw new InputError(err.message);
    throw err;
  }
}
