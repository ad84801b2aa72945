import { z } from 'zod';

/**
 * Validation messages in plain words, for the builder's pages and the API's problem details
 * alike: "Write a title", not "Too small: expected string to have >=1 characters". One
 * mapping from zod's issues, installed as zod's fallback message (explicit messages in a
 * schema, such as "The closing time must be after the opening time", still win). It is
 * installed when this module loads; the schemas at the boundary import it.
 */

/** What to write, by the field's last name in its path: "Write a title". */
const WRITE: Record<string, string> = {
  title: 'a title',
  label: 'a name for this option',
  name: 'a name',
  email: 'an email address',
  subject: 'a subject',
  text: 'some text',
  password: 'a password',
  branch: 'a branch',
};

const FORMATS: Record<string, string> = {
  datetime: 'Write a date and time with its offset from UTC, e.g. 2026-12-01T09:00:00Z',
  date: 'Write a date, e.g. 2026-12-01',
  time: 'Write a time, e.g. 18:00',
  email: 'Write an email address, e.g. name@example.org',
  uuid: 'This is not a valid id',
  url: 'Write a web address, e.g. https://example.org',
  regex: 'This is not in the expected form',
};

const TYPES: Record<string, string> = {
  number: 'Write a number',
  int: 'Use a whole number',
  string: 'Write some text here',
  boolean: 'Use true or false',
  array: 'Give a list',
  object: 'Give an object with named fields',
};

/** The field an issue is about, as the last name in its path ("questions.0.title" → "title"). */
function lastName(path: ReadonlyArray<PropertyKey> | undefined): string {
  const names = (path ?? []).filter((p): p is string => typeof p === 'string');
  return names[names.length - 1] ?? '';
}

/** A list's items, named from its field ("options" → "options", or "option" for one). */
function items(path: ReadonlyArray<PropertyKey> | undefined, n: number | bigint): string {
  const name = lastName(path);
  if (!name) return n === 1 ? 'item' : 'items';
  return Number(n) === 1 && name.endsWith('s') ? name.slice(0, -1) : name;
}

type RawIssue = z.core.$ZodRawIssue;

/** The plain message for an issue, or undefined to keep a message the schema gave. */
export function plainMessage(iss: RawIssue): string | undefined {
  const name = lastName(iss.path);
  switch (iss.code) {
    case 'too_small': {
      const min = iss.minimum as number | bigint;
      if (iss.origin === 'string') {
        if (Number(min) <= 1) {
          if (name === 'title' && iss.path?.[0] === 'questions') return 'Write the question';
          return WRITE[name] ? `Write ${WRITE[name]}` : 'Fill this in';
        }
        return `Use at least ${min} characters`;
      }
      if (iss.origin === 'array' || iss.origin === 'set') return `Give at least ${min} ${items(iss.path, min)}`;
      if (iss.origin === 'number' || iss.origin === 'int' || iss.origin === 'bigint')
        return iss.inclusive === false ? `Use a number above ${min}` : `Use a number of ${min} or more`;
      return `Too early or too small: the least allowed is ${String(min)}`;
    }
    case 'too_big': {
      const max = iss.maximum as number | bigint;
      if (iss.origin === 'string') return `Use at most ${max} characters`;
      if (iss.origin === 'array' || iss.origin === 'set') return `Give at most ${max} ${items(iss.path, max)}`;
      if (iss.origin === 'number' || iss.origin === 'int' || iss.origin === 'bigint')
        return iss.inclusive === false ? `Use a number below ${max}` : `Use a number of ${max} or less`;
      return `Too late or too large: the most allowed is ${String(max)}`;
    }
    case 'invalid_type':
      if (iss.input === undefined) return 'This is missing';
      if (iss.expected === 'number' && typeof iss.input === 'number') return 'Use a finite number';
      return TYPES[iss.expected] ?? `Use a ${iss.expected}`;
    case 'invalid_format':
      return FORMATS[iss.format] ?? `Use the ${iss.format} form`;
    case 'invalid_value':
      return iss.values.length === 1
        ? `Use ${JSON.stringify(iss.values[0])}`
        : `Choose one of: ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      const options = (iss as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length)
        return `Choose one of: ${options.map((v) => JSON.stringify(v)).join(', ')}`;
      return 'This is not in any of the accepted forms';
    }
    case 'unrecognized_keys':
      return `Unknown field${iss.keys.length === 1 ? '' : 's'}: ${iss.keys.join(', ')}`;
    case 'not_multiple_of':
      return `Use a multiple of ${String(iss.divisor)}`;
    case 'invalid_key':
    case 'invalid_element':
      return 'Something in this list is not valid';
    case 'custom':
      return 'This is not valid';
    default:
      return undefined;
  }
}

z.config({ customError: plainMessage });
