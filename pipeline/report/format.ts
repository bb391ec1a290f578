/** Number formats shared by the report's sections, so the same fact reads the same everywhere. */

/**
 * A fraction as a percentage with two decimals, rounded to nearest like the CLI's figures, except
 * that nothing short of 1 reads "100.00%": 0.99996 reads "99.99%", so a perfect score is only
 * claimed when it is exact.
 */
export function formatPercent(fraction: number, decimals = 2): string {
  if (!Number.isFinite(fraction)) return '–';
  const scale = 10 ** decimals;
  const rounded = Math.round(fraction * 100 * scale) / scale;
  const shown = rounded >= 100 && fraction < 1 ? (100 * scale - 1) / scale : rounded;
  return `${shown.toFixed(decimals)}%`;
}

/** Probability differences span many orders of magnitude (1e-8 … 1e-1): scientific notation keeps them comparable. */
export function formatScientific(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  return value.toExponential(2).replace('e+', 'e');
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

export function formatDecimal(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** Whole numbers with thousands separators, as Keras prints parameter counts: 101,770. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? value.toLocaleString('en-US') : '–';
}

/** A hyperparameter as written in code: 0.001, 1e-7, 0.9 (JavaScript's shortest form that round-trips). */
export function formatSetting(value: number): string {
  return Number.isFinite(value) ? String(value) : '–';
}

/** A setting given as a fraction, as a percentage without rounding it: 0.1 → "10%", 0.125 → "12.5%". */
export function formatFractionSetting(fraction: number): string {
  // toPrecision drops float noise: 0.15 × 100 is 15.000000000000002.
  return Number.isFinite(fraction) ? `${Number((fraction * 100).toPrecision(12))}%` : '–';
}
