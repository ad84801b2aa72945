import fc from 'fast-check';
import { poolBranches } from '../../src/domain/pooling';

describe('small-cell pooling', () => {
  test('branches of k or more voters stand alone; small ones are pooled', () => {
    const units = poolBranches(
      [
        { branch: 'A', voters: 30 },
        { branch: 'B', voters: 4 },
        { branch: 'C', voters: 7 },
        { branch: 'D', voters: 12 },
      ],
      10,
    );
    expect(units).toEqual([
      { name: 'A', branches: ['A'], pooled: false },
      { name: 'D', branches: ['D'], pooled: false },
      { name: 'Pooled: B, C', branches: ['B', 'C'], pooled: true },
    ]);
  });
  test('a lone small branch is pooled with the smallest large branch (else subtraction would reveal it)', () => {
    const units = poolBranches(
      [
        { branch: 'A', voters: 30 },
        { branch: 'B', voters: 3 },
        { branch: 'C', voters: 12 },
      ],
      10,
    );
    expect(units.map((u) => u.name)).toEqual(['A', 'Pooled: B, C']);
  });
  test('small branches that together stay under k take in large ones', () => {
    const units = poolBranches(
      [
        { branch: 'A', voters: 2 },
        { branch: 'B', voters: 3 },
        { branch: 'C', voters: 40 },
        { branch: 'D', voters: 11 },
      ],
      10,
    );
    expect(units.map((u) => u.name)).toEqual(['C', 'Pooled: A, B, D']);
  });
  test('branches without voters stay alone; k = 1 pools nothing', () => {
    expect(
      poolBranches(
        [
          { branch: 'A', voters: 0 },
          { branch: 'B', voters: 20 },
        ],
        10,
      ).map((u) => u.pooled),
    ).toEqual([false, false]);
    expect(
      poolBranches(
        [
          { branch: 'A', voters: 1 },
          { branch: 'B', voters: 2 },
        ],
        1,
      ).every((u) => !u.pooled),
    ).toBe(true);
  });
  test('properties: every branch in exactly one unit; every unit with voters has k voters or is all there is; pools hold 2+ branches', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ branch: fc.string({ minLength: 1, maxLength: 4 }), voters: fc.nat(40) }), {
          selector: (b) => b.branch,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 15 }),
        (branches, k) => {
          const units = poolBranches(branches, k);
          const seen = units.flatMap((u) => u.branches).sort();
          expect(seen).toEqual(branches.map((b) => b.branch).sort());
          const voters = new Map(branches.map((b) => [b.branch, b.voters]));
          const total = branches.reduce((n, b) => n + b.voters, 0);
          for (const u of units) {
            const v = u.branches.reduce((n, b) => n + voters.get(b)!, 0);
            if (v > 0) expect(v >= k || v === total).toBe(true);
            if (u.pooled)
              expect(
                u.branches.filter((b) => voters.get(b)! > 0).length >= 2 ||
                  u.branches.length === branches.filter((b) => b.voters > 0).length,
              ).toBe(true);
          }
        },
      ),
    );
  });
});

describe('pooling for turnout (empty branches included)', () => {
  test('a branch where nobody voted is pooled too, never alone', () => {
    const units = poolBranches(
      [
        { branch: 'A', voters: 0 },
        { branch: 'B', voters: 30 },
        { branch: 'C', voters: 12 },
      ],
      10,
      { includeEmpty: true },
    );
    expect(units.map((u) => u.name)).toEqual(['B', 'Pooled: A, C']);
  });
  test('with k = 1 nothing is pooled', () => {
    expect(
      poolBranches(
        [
          { branch: 'A', voters: 0 },
          { branch: 'B', voters: 3 },
        ],
        1,
        { includeEmpty: true },
      ).every((u) => !u.pooled),
    ).toBe(true);
  });
});
