/**
 * A PostgreSQL array literal ('{"a","b",NULL}'), as pg writes a JS array parameter. Built
 * where the values are (the roll import's worker thread), so that a large batch costs the
 * server's event loop one string instead of one escape per value: pg's own conversion of
 * 5,000-row batches held the loop for 40 to 170 ms each (bench:import --profile).
 */
export function arrayLiteral(values: ReadonlyArray<string | number | null>): string {
  const parts: string[] = [];
  for (const v of values)
    parts.push(
      v === null ? 'NULL' : typeof v === 'number' ? String(v) : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
    );
  return `{${parts.join(',')}}`;
}
