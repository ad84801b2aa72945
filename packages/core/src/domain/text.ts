import { z } from 'zod';

/**
 * The one text rule at every boundary (API, pages, roll import, CLI): PostgreSQL cannot
 * store the byte 0x00 nor a lone UTF-16 surrogate (half of a pair), so text carrying
 * either is refused where it arrives, naming the field, instead of failing in the database.
 */

// Matched on UTF-16 code units (no `u` flag): a NUL, a high surrogate with no low one after
// it, or a low surrogate with no high one before it.
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const TEXT_RULE_MESSAGE = 'contains a NUL character or a broken Unicode character (a lone surrogate)';

/** Whether the text can be stored as it is. */
export const storableText = (s: string): boolean => !UNSTORABLE.test(s);

/** A string check for schemas of single fields: `z.string().check(textRule)`. */
export const textRule = z.refine<string>(storableText, { error: TEXT_RULE_MESSAGE, abort: true });

/**
 * Any value whose every string and object key obeys the rule; an issue's path names the
 * field. Put in front of a form's or body's own schema: `storable.pipe(schema)`.
 */
export const storable: z.ZodType<unknown> = z.unknown().superRefine((value, ctx) => {
  const walk = (v: unknown, path: PropertyKey[]): void => {
    if (typeof v === 'string') {
      if (!storableText(v)) ctx.addIssue({ code: 'custom', message: TEXT_RULE_MESSAGE, path, input: v });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (!storableText(k))
          ctx.addIssue({ code: 'custom', message: `a field name ${TEXT_RULE_MESSAGE}`, path: [...path, k], input: k });
        else walk(x, [...path, k]);
      }
  };
  walk(value, []);
});
