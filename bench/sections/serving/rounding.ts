/** Figures as the serving results keep them: rounded, so the JSON says no more than was measured. */
import type { Spread } from '../../../common/stats.ts';

/** `value` to `places` decimal places (2: requests/s, milliseconds, MB). */
export function round(value: number, places = 2): number {
  const scale = 10 ** places;
  return Math.round(value * scale) / scale;
}

export function roundSpread(value: Spread, places = 2): Spread {
  return {
    median: round(value.median, places),
    min: round(value.min, places),
    max: round(value.max, places),
    repetitions: value.repetitions,
  };
}
