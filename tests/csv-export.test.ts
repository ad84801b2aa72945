import { csvRow } from '../src/http/pages/organiser/common';

/** CSV downloads never hand a spreadsheet a formula to run (issue: "-1+HYPERLINK(…)" went through). */

test('cells a spreadsheet would run are neutralised; numbers are left as numbers', () => {
  const formulas = ['=SUM(A1:A9)', '-1+HYPERLINK("https://evil.example","x")', '+1+2', '@cmd', '\tx', '\rx', '-'];
  expect(formulas.map((f) => csvRow([f]).replace(/^"|"$/g, ''))).toEqual(
    formulas.map((f) => `'${f.replace(/"/g, '""')}`),
  );
  expect(csvRow(['-3', '1.5', '-27/2', '+4', 12, 'Leeds', 'Smith, Ann'])).toBe('-3,1.5,-27/2,+4,12,Leeds,"Smith, Ann"');
});
