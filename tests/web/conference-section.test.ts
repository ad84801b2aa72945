import { compareConference } from '@omov/core/delegates/index';
import { DEFAULT_DELEGATES } from '@omov/core/domain/ballot';
import { countRecordQuestion } from '@omov/core/record/record';
import { questionSection, resultsCsv } from '../../src/http/pages/organiser/results';
import type { BallotResults } from '../../src/services/results';
import { anscombe, tiedBranches } from '../../packages/core/tests/delegates/fixtures';

/** The results page says what the delegate comparison rests on: lots, pools, paradoxes. */

const { questions, votes } = anscombe;
const q = countRecordQuestion({ id: 'b', delegates: null, questions }, questions[0]!, votes, 5, []);

// T1 and T2 tied: Yes with probability 1/4, No 3/4; the members said Yes 21 to 20.
const conference = compareConference(tiedBranches('Motion 1', ['Yes', 'No']));

test("a comparison resting on lots says so first, with each outcome's probability", () => {
  const page = questionSection({ ...q, conference }, 1).value;
  expect(page).toContain(
    '<p class="notice"><strong>This comparison depends on lots.</strong> Exactly over all 4 equally likely draws of the lots, the conference would choose No 3/4 (75.0%), Yes 1/4 (25.0%); it would agree with the members (Yes) with probability 1/4 (25.0%).</p>',
  );
  expect(page).toContain('<p>With the lots as drawn: The conference would have decided');
  // A motion's margins, members' and delegates', are distances to its threshold, not one side minus the other.
  expect(page).toMatch(
    /<tr><th scope="row">Margin<\/th><td>Yes had 0\.5 votes to spare over a majority of the votes cast\.<\/td><td>Yes (had [\d.]+ delegate votes? to spare over|needed more than [\d.]+ more delegate votes? for) a majority[^<]*<\/td><\/tr>/,
  );
  // The exact power on hover: A, B and a tied pair are symmetric enough to need exact fractions.
  expect(page).toMatch(/<td class="num" title="\d+(\/\d+)?">\d+(\.\d+)?%<\/td>/);
  const csv = resultsCsv({ questions: [{ ...q, conference }] } as unknown as BallotResults);
  expect(csv).toContain('1,Motion 1,yesno,"(conference over lots, exact)",No,probability,0.75,\r\n');
  expect(csv).toContain('1,Motion 1,yesno,"(conference over lots, exact)",Yes,probability,0.25,\r\n');
});

test("Anscombe's and Ostrogorski's paradoxes appear on the page when they occur", () => {
  const page = questionSection(q, 1).value;
  expect(page).toContain('<h3>Across the yes/no questions</h3>');
  expect(page).toContain(
    '<li class="bad">Anscombe&#39;s paradox: 60.00% of the voters were on the losing side of most of the 3 decided questions',
  );
  expect(page).toContain('Ostrogorski&#39;s paradox');
});

const units = [{ name: 'All', branches: ['All'], pooled: false, members: 5, electorate: 5 }];

test("the whole ballot's model says whether it is omov's default, which nobody chose", () => {
  const byDefault = countRecordQuestion(
    { id: 'b', delegates: DEFAULT_DELEGATES, questions },
    questions[0]!,
    votes,
    5,
    units,
  );
  expect(byDefault.conference).not.toBeNull();
  const page = questionSection(byDefault, 1).value;
  expect(page).toContain("This is omov's default model, used because nobody chose one for this ballot");
  const chosen = countRecordQuestion(
    { id: 'b', delegates: { basis: 'members', rule: 'bloc', method: 'dhondt', seats: 20 }, questions },
    questions[0]!,
    votes,
    5,
    units,
  );
  const other = questionSection(chosen, 1).value;
  expect(other).not.toContain("omov's default model");
  expect(other).toContain('This is the one model set for the whole ballot.');
});
