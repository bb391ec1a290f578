/**
 * `tfjs-onnx convert <model.json> -o <model.onnx> [--opset N]`: a thin layer over the export
 * stage's convertModelToFile (Layers models and GraphModels), printing what each layer or TF name
 * scope became.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InvalidOptionError } from '../../common/errors.ts';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, convertModelVariantsToFiles, type ConversionSummary } from '../../export/index.ts';
import { DTYPES, parseDtypeList } from '../../export/precision/dtype.ts';
import { describePrecision } from '../../export/precision/describe.ts';

interface ConvertArguments {
  model: string;
  output: string;
  opset: number;
  dtype: string;
  plugin?: string[];
}

export const convertCommand: CommandModule<object, ConvertArguments> = {
  command: 'convert <model>',
  describe: 'Convert a tfjs Layers model or GraphModel (model.json + weight shards) to ONNX',
  builder: (cli: Argv) =>
    cli
      .positional('model', { type: 'string', demandOption: true, describe: 'The tfjs model.json (its shards sit beside it)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, requiresArg: true, describe: 'Where to write the .onnx model' })
      .option('opset', { type: 'number', default: DEFAULT_OPSET, requiresArg: true, describe: `ONNX opset (${MIN_OPSET}–${MAX_OPSET})` })
      .option('plugin', { type: 'string', array: true, requiresArg: true, describe: 'A module registering converters for custom layer classes (repeatable; README: Custom layers)' })
      .example('$0 convert artifacts/tfjs/model.json -o artifacts/model.onnx', 'convert with the default opset')
      .option('dtype', {
        type: 'string',
        default: 'fp32',
        requiresArg: true,
        describe: `Precision: ${DTYPES.join(', ')}, or several comma-separated (fp32 at -o, then model_fp16.onnx, model_quantized.onnx beside it)`,
      })
      .example('$0 convert model.json -o model.onnx --opset 17', 'use opset 17 (single-node LayerNormalization)')
      .example('$0 convert model.json -o out/model.onnx --dtype fp32,fp16,q8', 'write out/model.onnx, out/model_fp16.onnx, out/model_quantized.onnx') as unknown as Argv<ConvertArguments>,
  handler: async (args: ArgumentsCamelCase<ConvertArguments>) => {
    if (!Number.isInteger(args.opset) || args.opset < MIN_OPSET || args.opset > MAX_OPSET) {
      throw new InvalidOptionError(`--opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${String(args.opset)}`);
    }
    if (args.output.trim() === '') throw new InvalidOptionError('--output must name the .onnx file to write');
    const dtypes = parseDtypeList(args.dtype);
    // One dtype: exactly the -o file. Several: -o names the fp32 file and the others sit beside it.
    const written = await convertModelVariantsToFiles(args.model, args.output, dtypes, { opset: args.opset, plugins: args.plugin }, dtypes.length === 1);
    for (const summary of written) process.stdout.write(formatConversionSummary(summary.path, summary));
  },
};

/** The printed report: each layer and the ONNX nodes it became, the I/O signature, opset and size. */
export function formatConversionSummary(onnxPath: string, summary: ConversionSummary & { fileBytes: number }): string {
  // A GraphModel's units are TF name scopes and the ops in each; a Layers model's are its layers.
  const [unit, kind] = summary.sourceFormat === 'graph-model' ? ['scope', 'TF ops'] : ['layer', 'class'];
  const nameWidth = Math.max(unit.length, ...summary.layers.map((layer) => layer.name.length));
  const classWidth = Math.max(kind.length, ...summary.layers.map((layer) => layer.className.length));
  const rows = summary.layers.map(
    (layer) => `  ${layer.name.padEnd(nameWidth)}  ${layer.className.padEnd(classWidth)}  ${layer.onnxNodes.length ? layer.onnxNodes.join(', ') : '(no nodes)'}`,
  );
  const signature = (list: ConversionSummary['inputs']) => list.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ');
  return [
    summary.sourceFormat === 'graph-model' ? 'GraphModel: TF nodes by name scope → ONNX nodes:' : 'layers → ONNX nodes:',
    `  ${unit.padEnd(nameWidth)}  ${kind.padEnd(classWidth)}  nodes`,
    ...rows,
    `inputs:  ${signature(summary.inputs)}`,
    `outputs: ${signature(summary.outputs)}`,
    ...describePrecision(summary.precision),
    `opset ${summary.opset}, ${summary.nodeCount} nodes, ${formatBytes(summary.fileBytes)} → ${onnxPath}`,
    '',
  ].join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
