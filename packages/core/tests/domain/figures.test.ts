import { decimal, figureText, motionMargin, motionWords, percentText, thresholdWords } from '../../src/domain/figures';
import { rat } from '../../src/tally/rational';

test('decimals: at most two places, rounded half away from zero, trailing zeros dropped', () => {
  expect(decimal(rat(143, 2))).toBe('71.5');
  expect(decimal(rat(259, 3))).toBe('86.33');
  expect(decimal(rat(37, 2))).toBe('18.5');
  expect(decimal(rat(2, 3))).toBe('0.67');
  expect(decimal(rat(1, 8))).toBe('0.13');
  expect(decimal(rat(-27, 2))).toBe('-13.5');
  expect(decimal(rat(-1, 1000))).toBe('0');
  expect(decimal(rat(12))).toBe('12');
  expect(decimal(rat(1999, 1000))).toBe('2');
});

test('exact figures as the results carry them become decimals; other text is kept', () => {
  expect(figureText('143/2')).toBe('71.5');
  expect(figureText('83489833/1195248686')).toBe('0.07');
  expect(figureText('0.25')).toBe('0.25');
  // Fixed-point counts keep the places their rules count in.
  expect(figureText('1.99996')).toBe('1.99996');
  expect(figureText(2 / 3)).toBe('0.67');
  expect(figureText('7')).toBe('7');
  expect(figureText('–')).toBe('–');
  expect(figureText(null)).toBe('');
});

test('shares as percentages, thresholds in words', () => {
  expect(percentText('83489833/1195248686')).toBe('7%');
  expect(percentText(0.5)).toBe('50%');
  expect(percentText(rat(1, 3))).toBe('33.3%');
  expect(thresholdWords(rat(2, 3))).toBe('two thirds');
  expect(thresholdWords(rat(11, 20))).toBe('55%');
});

test('a two-thirds motion: the shortfall to two thirds, not No minus Yes', () => {
  // 60 Yes, 40 No: two thirds of the votes cast needs Yes ≥ 2·No, so 20 more Yes votes.
  const m = motionMargin({ yes: '60', no: '40', threshold: '2/3' });
  expect(m.carried).toBe(false);
  expect(m.sentence).toBe('Yes needed 20 more votes for two thirds of the votes cast.');
  // With weights: 143/2 Yes, 43 No → 2·43 − 71.5 = 14.5 more.
  expect(motionMargin({ yes: '143/2', no: '43', threshold: '2/3' }).sentence).toBe(
    'Yes needed 14.5 more votes for two thirds of the votes cast.',
  );
  // Carried: 80 Yes, 20 No; 80 − (2/3)·100 = 13.33 could have gone the other way.
  expect(motionMargin({ yes: '80', no: '20', threshold: '2/3' }).sentence).toBe(
    'Yes had 13.33 votes to spare over two thirds of the votes cast.',
  );
});

test('a simple majority: a tie fails, and the spare votes are half the lead', () => {
  expect(motionMargin({ yes: '10', no: '10', threshold: '1/2' }).sentence).toBe(
    'Yes tied with the other side; a tie does not carry.',
  );
  expect(motionMargin({ yes: '7', no: '10', threshold: '1/2' }).sentence).toBe(
    'Yes needed more than 3 more votes for a majority.',
  );
  expect(motionMargin({ yes: '12', no: '8', threshold: '1/2' }).sentence).toBe(
    'Yes had 2 votes to spare over a majority of the votes cast.',
  );
  expect(motionMargin({ yes: '5', no: '1', threshold: '1' }).sentence).toBe(
    'Yes needed every vote cast; 1 vote went the other way.',
  );
});

test('which margins need "more than", and a conference counts delegate votes', () => {
  expect(motionMargin({ yes: '7', no: '10', threshold: '1/2' }).moreThan).toBe(true);
  expect(motionMargin({ yes: '60', no: '40', threshold: '2/3' }).moreThan).toBe(false);
  expect(motionMargin({ yes: '5', no: '7', threshold: '2/3', noun: 'delegate vote' }).sentence).toBe(
    'Yes needed 9 more delegate votes for two thirds of the votes cast.',
  );
});

test('a motion in words: the engine\'s exact summary, read as decimals, "two thirds" and a quorum as a part', () => {
  // The case: 143/2 Yes, 43 No on a two-thirds motion (the engine says "at least 2/3 needed (229/3)").
  const w = motionWords({ yes: '143/2', no: '43', threshold: '2/3' });
  expect(w.result).toBe(
    'Yes 71.5, No 43, of 114.5 votes cast; two thirds needed (76.33). Yes needed 14.5 more votes for two thirds of the votes cast.',
  );
  expect(w.rule).toBe(
    'The proposal carries with at least two thirds of the votes cast (Yes + No) and more Yes than No; abstentions and invalid papers are not votes cast.',
  );
  expect(`${w.result} ${w.rule}`).not.toMatch(/\d\/\d/);
  const majority = motionWords(
    { yes: '12', no: '8', threshold: '1/2', quorum: '1/4', quorumNeeded: '25/2', quorumMet: true, turnout: '23' },
    'For',
    'Against',
  );
  expect(majority.result).toBe(
    'For 12, Against 8, of 20 votes cast; a majority needed (10 and more than Against). For had 2 votes to spare over a majority of the votes cast. Quorum reached: a turnout of 23 (12.5 needed).',
  );
  expect(majority.rule).toBe(
    'The proposal carries with more than half of the votes cast (For + Against) and more For than Against; abstentions and invalid papers are not votes cast; the quorum is a turnout of a quarter of the electorate, counting every member who returned the ballot, whether they voted on this question or abstained.',
  );
  const inquorate = motionWords({
    yes: '3',
    no: '1',
    threshold: '1/2',
    quorum: '1/3',
    quorumNeeded: '100/3',
    quorumMet: false,
    turnout: '9/2',
    electorate: '100',
  });
  expect(inquorate.result).toBe(
    'Quorum not reached: a turnout of 4.5 is below 33.33 (a third of an electorate of 100); the vote decides nothing.',
  );
});
