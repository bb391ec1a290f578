/**
 * The converter's option values and defaults, kept apart from the converter itself so the CLI can
 * show them in --help without loading it.
 */
export const DEFAULT_OPSET = 13;
export const MIN_OPSET = 13;
/** ReduceMean & co. take axes as an input from opset 18; the converters emit the ≤17 form. */
export const MAX_OPSET = 17;
