/**
 * TF op name → handler, tf2onnx's handler registry in TypeScript: each op family (one module
 * each) exports a table; adding an op means adding one function to its family's table.
 */
import type { TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';

/** Converts one node: adds its ONNX nodes (or folds it) and returns its outputs in order. */
export type TfOpHandler = (ctx: TfOpContext) => TfValue | TfValue[];

export type TfOpTable = Readonly<Record<string, TfOpHandler>>;
