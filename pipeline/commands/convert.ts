/**
 * `tfjs-onnx convert <model.json> -o <model.onnx> [--opset N]`: a thin layer over the export
 * stage's convertModelToFile (Layers models and GraphModels), printing what each layer or TF name
 * scope became.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from '../../export/options.ts';
import { integerFlag, type CliCommand } from '../flags.ts';

interface ConvertArguments {
  model: string;
  output: string;
  opset: number;
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
      .option('plugin', { type: 'string', array: true, describe: 'A module registering converters for custom layer classes (repeatable; README: Custom layers)' })
      .example('$0 convert artifacts/tfjs/model.json -o artifacts/model.onnx', 'convert with the default opset')
      .example('$0 convert model.json -o model.onnx --opset 17', 'use opset 17 (single-node LayerNormalization)') as unknown as Argv<ConvertArguments>,
  handler: async (args: ArgumentsCamelCase<ConvertArguments>) => {
    const [{ convertModelToFile }, { formatConversionSummary }] = await Promise.all([import('../../export/index.ts'), import('../conversionSummary.ts')]);
    const summary = await convertModelToFile(args.model, args.output, { opset: args.opset, plugins: args.plugin });
    process.stdout.write(formatConversionSummary(args.output, summary));
  },
};
