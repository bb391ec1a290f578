/**
 * `tfjs-onnx convert <model.json> -o <model.onnx> [--opset N]`: a thin layer over the export
 * stage's convertModelToFile (Layers models and GraphModels), printing what each layer or TF name
 * scope became.
 */
import { VARIANT_FILES } from '@tfjs-onnx/runtime/constants';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from '../../export/options.ts';
import { integerFlag, type CliCommand } from '../flags.ts';
import { DEFAULT_DTYPE, DTYPES, parseDtypeList } from '../../export/backend/precision/dtype.ts';

interface ConvertArguments {
  model: string;
  output: string;
  opset: number;
  dtype: string;
  plugin?: string[];
}

export const convertCommand: CliCommand = {
  command: 'convert <model>',
  describe: 'Convert a tfjs Layers model or GraphModel (model.json + weight shards) to ONNX',
  missing: { model: 'name the model.json to convert' },
  builder: (cli: Argv) =>
    cli
      .positional('model', { type: 'string', demandOption: true, describe: 'The tfjs model.json (its shards sit beside it)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Where to write the .onnx model' })
      .option(...integerFlag('opset', { min: MIN_OPSET, max: MAX_OPSET, default: DEFAULT_OPSET, describe: 'ONNX opset' }))
      .option('plugin', {
        type: 'string',
        array: true,
        describe: 'A module registering converters for custom layer classes (repeatable; README: Custom layers)',
      })
      .example('$0 convert artifacts/tfjs/model.json -o artifacts/model.onnx', 'convert with the default opset')
      .option('dtype', {
        type: 'string',
        default: DEFAULT_DTYPE,
        describe: `Precision: ${DTYPES.join(', ')}, or several comma-separated (fp32 at -o, then ${VARIANT_FILES.fp16}, ${VARIANT_FILES.q8} beside it)`,
      })
      .example('$0 convert model.json -o model.onnx --opset 17', 'use opset 17 (single-node LayerNormalization)')
      .example(
        `$0 convert model.json -o out/${VARIANT_FILES.fp32} --dtype ${DTYPES.join(',')}`,
        `write ${DTYPES.map((dtype) => `out/${VARIANT_FILES[dtype]}`).join(', ')}`,
      ) as unknown as Argv<ConvertArguments>,
  handler: async (args: ArgumentsCamelCase<ConvertArguments>) => {
    const dtypes = parseDtypeList(args.dtype);
    const [{ convertModelVariantsToFiles }, { formatConversionSummary }] = await Promise.all([
      import('../../export/index.ts'),
      import('../conversionSummary.ts'),
    ]);
    // One dtype: exactly the -o file. Several: -o names the fp32 file and the others sit beside it.
    const written = await convertModelVariantsToFiles(
      args.model,
      args.output,
      dtypes,
      { opset: args.opset, plugins: args.plugin },
      dtypes.length === 1,
    );
    for (const summary of written) process.stdout.write(formatConversionSummary(summary.path, summary));
  },
};
