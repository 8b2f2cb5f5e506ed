import { parseDurationSeconds } from '../../../src/core/duration.js';

describe('parseDurationSeconds (Go-style durations, spec §3)', () => {
  it.each([
    ['30s', 30],
    ['1m', 60],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['250ms', 0.25],
    ['1m30s', 90],
    ['2h0m5s', 7205],
    ['1500ms', 1.5],
    ['0s', 0],
  ])('%j → %j seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '1d', '5', 'm', '-1s', 's30', '1 m', ' 1m', '1m ', '1M', '1hh', 'abc', '1m-'])('%j is not a duration', (text) => {
    expect(parseDurationSeconds(text)).toBeNull();
  });
});
