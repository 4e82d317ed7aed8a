/** Sorting that does not depend on the machine's locale. */
import { compareText } from '../src/compare-text';

describe('compareText', () => {
  test('orders by UTF-16 code unit: digits, then capitals, then lowercase', () => {
    // GIVEN names a locale-aware collation would interleave by letter
    const names = ['b', 'a-b', 'B', 'ab', 'a.b', '_x', 'A', '10', '9'];
    // WHEN sorted
    const sorted = [...names].sort(compareText);
    // THEN the order is the code-unit order, the same on every machine
    expect(sorted).toEqual(['10', '9', 'A', 'B', '_x', 'a-b', 'a.b', 'ab', 'b']);
    expect(sorted).toEqual([...names].sort());
  });

  test('equal strings compare as 0, and the order is antisymmetric', () => {
    expect(compareText('order-service', 'order-service')).toBe(0);
    expect(compareText('order-service', 'user-service')).toBe(-1);
    expect(compareText('user-service', 'order-service')).toBe(1);
  });
});
