/** How the project writes quantities for people: the CLI's lines, error messages and the report. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A size in binary units with at most one decimal: 512 B, 398.5 KiB, 1 MiB, 2 GiB (a limit reads
 * as it was set). '–' for a size that is not a number.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : Number(value.toFixed(1))} ${BYTE_UNITS[unit]}`;
}
