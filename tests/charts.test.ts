import { barChart, turnoutChart, wrapLabel } from '../src/http/charts';

describe('charts', () => {
  test("the turnout chart's times are in the ballot's zone, not UTC", () => {
    const at = (iso: string, voted: number) => ({ at: new Date(iso), voted });
    const svg = String(
      turnoutChart([at('2026-12-05T14:00:00Z', 1), at('2026-12-05T15:30:00Z', 7)], 10, 'America/New_York'),
    );
    expect(svg).toContain('2026-12-05 09:00 GMT-5 (America/New_York)');
    expect(svg).toContain('2026-12-05 10:30 GMT-5 (America/New_York)');
    expect(svg).not.toContain('UTC');
  });

  test("a pooled unit's label is wrapped onto more lines, every branch named", () => {
    const pooled = 'Pooled: Aberdeen, Bristol, Cardiff, Dundee, Exeter';
    const svg = String(
      barChart({
        title: 'Turnout',
        bars: [
          { label: 'Leeds', value: 50 },
          { label: pooled, value: 40 },
        ],
      }),
    );
    for (const name of ['Aberdeen', 'Bristol', 'Cardiff', 'Dundee', 'Exeter']) expect(svg).toContain(name);
    expect(svg).not.toContain('…');
    expect(wrapLabel(pooled)).toEqual(['Pooled: Aberdeen, Bristol,', 'Cardiff, Dundee, Exeter']);
    // The chart grows to hold the second line.
    const one = String(
      barChart({
        title: 'T',
        bars: [
          { label: 'Leeds', value: 50 },
          { label: 'York', value: 40 },
        ],
      }),
    );
    const height = (s: string) => Number(/height="(\d+)"/.exec(s)![1]);
    expect(height(svg)).toBeGreaterThan(height(one));
  });
});
