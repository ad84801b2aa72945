import { renderEmail } from '../src/mail/templates';

const values = {
  organisationName: 'Union <&> Co',
  ballotTitle: 'Rule book',
  memberName: '<script>alert(1)</script>',
  opensAt: '2026-12-01 09:00 UTC',
  closesAt: '2026-12-08 17:00 UTC',
  questionList: '1. Adopt?\n2. Chair',
  link: 'https://vote.example.org/v/AAAA',
  reportLink: 'https://vote.example.org/report/B1',
};

describe('email templates', () => {
  test.each([
    ['invitation', 'is holding a ballot of all members'],
    ['reminder', 'has not yet received your vote'],
  ])(
    '%s: subject, text and HTML carry the link, the questions, the closing time and what to do if mistaken',
    (name, lead) => {
      const m = renderEmail(name, values);
      expect(m.subject).toContain('Rule book');
      for (const part of [m.text, m.html]) {
        expect(part).toContain(lead);
        expect(part).toContain('https://vote.example.org/v/AAAA');
        expect(part).toContain('2026-12-08 17:00 UTC');
        expect(part).toContain('not meant for you');
        // Where to turn when the link says "already used" or "not valid": the auditors.
        expect(part).toContain('https://vote.example.org/report/B1');
      }
      expect(m.text).toContain('1. Adopt?\n2. Chair');
      // Values are text, never markup, in the HTML part.
      expect(m.html).not.toContain('<script>');
      expect(m.html).toContain('&lt;script&gt;');
      expect(m.html).toContain('Union &lt;&amp;&gt; Co');
      expect(m.html).toMatch(/^<!doctype html>/);
      expect(m.html).not.toMatch(/\{\{/);
    },
  );
  test('a missing value is an error, not a blank', () => {
    const { link: _drop, ...rest } = values;
    expect(() => renderEmail('invitation', rest)).toThrow(/"link" is missing/);
  });
});
