import { durationSeconds, formatSeconds, pauseSeconds } from '../../src/spec/duration';

describe('Argo durations', () => {
  test.each([
    ['30s', 30], ['1m', 60], ['1h', 3600], ['1h30m', 5400], ['2m30s', 150], [30, 30], ['45', 45], [0, 0],
  ])('pause %p lasts %p seconds', (given, seconds) => {
    // GIVEN a pause duration Argo reads WHEN it is parsed THEN it gives those seconds
    expect(pauseSeconds(given)).toBe(seconds);
  });

  test.each(['1 minute', '500ms', '', '1.5m', 'm', '-5s'])('pause %p is refused', (given) => {
    // GIVEN a duration Argo would turn into 0 (or cannot read) WHEN it is parsed THEN it is refused
    expect(pauseSeconds(given)).toBeUndefined();
  });

  test('schema durations and formatting round-trip', () => {
    // GIVEN schema durations WHEN converted and formatted THEN the short forms come back
    expect(['30s', '1m', '1h', '500ms'].map(durationSeconds)).toEqual([30, 60, 3600, 1]);
    expect([45, 60, 150, 3600, 5400].map(formatSeconds)).toEqual(['45s', '1m', '2m30s', '1h', '1h30m']);
  });
});
