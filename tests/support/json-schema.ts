import fc from 'fast-check';

/**
 * The part of JSON Schema 2020-12 that the API's OpenAPI document uses (what zod's
 * toJSONSchema writes), to check answers against it and to generate requests from it.
 * A keyword outside this part is an error, not silently ignored, so a change to the
 * document that this code does not understand fails loudly instead of checking less.
 * (ajv would do the checking, but it is a large dependency for a test, and the
 * generator has to walk the same keywords anyway.)
 */

export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  default?: unknown;
  description?: string;
  examples?: unknown[];
};

const KNOWN = new Set<string>([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  'default',
  'description',
  'examples',
]);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The document with every reference to a shared schema (`{"$ref": "#/components/schemas/X"}`)
 * replaced by that schema, so that validate and arbitrary see plain schemas. A reference's
 * other keywords apply with it (JSON Schema 2020-12), so they are merged in; the same keyword
 * on both sides with different values is an error rather than a silent choice. The shared schemas have no cycles
 * (zod writes none for these), so the result is a tree that may share subtrees.
 */
export function dereference<T>(doc: T): T {
  const shared = ((doc as { components?: { schemas?: Record<string, unknown> } }).components?.schemas ?? {}) as Record<
    string,
    unknown
  >;
  const resolving = new Set<string>();
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    const { $ref, ...rest } = x as Record<string, unknown>;
    const own = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, walk(v)]));
    if ($ref === undefined) return own;
    const name = typeof $ref === 'string' && $ref.startsWith('#/components/schemas/') ? $ref.slice(21) : undefined;
    if (name === undefined || !(name in shared)) throw new Error(`unknown reference ${JSON.stringify($ref)}`);
    if (resolving.has(name)) throw new Error(`the shared schema ${name} refers to itself`);
    resolving.add(name);
    const target = walk(shared[name]) as Record<string, unknown>;
    resolving.delete(name);
    for (const k of Object.keys(own))
      if (k in target && k !== 'description' && k !== 'default' && !same(target[k], own[k]))
        throw new Error(`${name}: "${k}" both beside the reference and in the shared schema`);
    return { ...target, ...own };
  };
  return walk(doc) as T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const FORMATS: Record<string, (s: string) => boolean> = {
  uuid: (s) => UUID.test(s),
  date: isCalendarDate,
  'date-time': (s) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) &&
    isCalendarDate(s.slice(0, 10)) &&
    !Number.isNaN(Date.parse(s)),
  email: (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
};

const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number' && Number.isInteger(v)
        ? 'integer'
        : typeof v;

/** Where `value` breaks `schema`, as "path: what" lines (none: it conforms). */
export function validate(schema: Schema, value: unknown, at = '$'): string[] {
  for (const k of Object.keys(schema))
    if (!KNOWN.has(k)) throw new Error(`${at}: the schema uses "${k}", which this validator does not know`);
  const out: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number')))
      return [`${at}: expected ${types.join(' or ')}, got ${t}`];
  }
  if ('const' in schema && !same(schema.const, value)) out.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((e) => same(e, value)))
    out.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.anyOf && !schema.anyOf.some((s) => validate(s, value, at).length === 0))
    out.push(`${at}: matches none of anyOf (${schema.anyOf.map((s) => validate(s, value, at)[0]).join('; ')})`);
  if (schema.oneOf) {
    const n = schema.oneOf.filter((s) => validate(s, value, at).length === 0).length;
    if (n !== 1) out.push(`${at}: matches ${n} of oneOf, not exactly one`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      out.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && length > schema.maxLength) out.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      out.push(`${at}: ${JSON.stringify(value.slice(0, 80))} does not match ${schema.pattern}`);
    if (schema.format !== undefined) {
      const check = FORMATS[schema.format];
      if (!check) throw new Error(`${at}: unknown format ${schema.format}`);
      if (!check(value)) out.push(`${at}: ${JSON.stringify(value.slice(0, 80))} is not a ${schema.format}`);
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${at}: above ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
      out.push(`${at}: not above ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
      out.push(`${at}: not below ${schema.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      out.push(`${at}: fewer than ${schema.minItems}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      out.push(`${at}: more than ${schema.maxItems}`);
    if (schema.items) value.forEach((v, i) => out.push(...validate(schema.items!, v, `${at}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) out.push(`${at}: "${r}" is required but missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (schema.propertyNames) out.push(...validate(schema.propertyNames, k, `${at}{${k}}`));
      const p = schema.properties?.[k];
      if (p) out.push(...validate(p, v, `${at}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${at}: "${k}" is not allowed`);
      else if (typeof schema.additionalProperties === 'object')
        out.push(...validate(schema.additionalProperties, v, `${at}.${k}`));
    }
  }
  return out;
}

/** Generated strings stay short unless the schema wants them long; hostile lengths are the fuzzer's own. */
const SHORT = 24;

/**
 * Values that conform to `schema` (as far as its keywords say: a pattern or a format is
 * honoured, a meaning such as "a real member's id" is the caller's to substitute).
 */
export function arbitrary(schema: Schema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(arbitrary));
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map(arbitrary));
  const types = schema.type === undefined ? ['string', 'number', 'boolean', 'null'] : [schema.type].flat();
  if (types.length > 1) return fc.oneof(...types.map((type) => arbitrary({ ...schema, type })));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1000);
      // Near the bounds and near zero, where the interesting answers are.
      const lo = Math.max(min, -1e6);
      const hi = Math.min(max, 1e6);
      const ints = fc.oneof(fc.constantFrom(min, max), fc.integer({ min: lo, max: Math.max(lo, hi) }));
      return types[0] === 'integer' ? ints : fc.oneof(ints, fc.double({ min: lo, max: hi, noNaN: true }));
    }
    case 'string': {
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date')
        return fc
          .date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'date-time')
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (schema.format === 'email')
        return fc
          .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,10}[a-z0-9]$/), fc.constantFrom('example.org', 'example.com'))
          .map(([l, d]) => `${l.replace(/\.\.+/g, '.')}@${d}`);
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? SHORT, minLength + SHORT));
      if (schema.pattern)
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => [...s].length >= minLength && [...s].length <= (schema.maxLength ?? Infinity));
      return fc.string({ minLength, maxLength, unit: fc.constantFrom(...'abcXYZ019 -_.,é€'.split('')) });
    }
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, minLength + 4));
      return fc.array(arbitrary(schema.items ?? {}), { minLength, maxLength });
    }
    case 'object': {
      const props = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      const record = fc.record(Object.fromEntries(props.map(([k, s]) => [k, arbitrary(s)])), {
        requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)),
      });
      if (typeof schema.additionalProperties !== 'object') return record;
      const extra = fc.dictionary(
        arbitrary(schema.propertyNames ?? { type: 'string', minLength: 1, maxLength: 8 }) as fc.Arbitrary<string>,
        arbitrary(schema.additionalProperties),
        { maxKeys: 3 },
      );
      return fc.tuple(extra, record).map(([e, r]) => ({ ...e, ...(r as object) }));
    }
    default:
      throw new Error(`cannot generate type ${String(types[0])}`);
  }
}
