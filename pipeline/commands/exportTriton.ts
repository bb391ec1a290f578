/** `tfjs-onnx export-triton <model.onnx> -o <dir>`: a thin yargs layer over exportTriton(). */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { DEFAULT_MAX_BATCH_SIZE } from '../../server/options.ts';
// config.ts imports nothing heavy: its bound is the one the library and the repository reader check.
import { MAX_CONFIG_BATCH_SIZE } from '../../server/repository/config.ts';
import { integerFlag, type CliCommand } from '../flags.ts';

interface ExportTritonArguments {
  model: string;
  output: string;
  name?: string;
  'max-batch-size': number;
}

export const exportTritonCommand: CliCommand = {
  command: 'export-triton <model>',
  describe: 'Write a Triton Inference Server model repository entry (config.pbtxt + 1/model.onnx)',
  missing: { model: 'name the .onnx model to export' },
  builder: (cli: Argv) =>
    cli
      .positional('model', { type: 'string', demandOption: true, describe: 'The exported ONNX model' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Model repository directory' })
      .option('name', { type: 'string', describe: 'Model name in the repository (default: file name without extension)' })
      .option(
        ...integerFlag('max-batch-size', {
          min: 0,
          max: MAX_CONFIG_BATCH_SIZE,
          default: DEFAULT_MAX_BATCH_SIZE,
          describe: "Triton's max_batch_size; 0 for a model without a batch axis",
        }),
      )
      .example(
        '$0 export-triton artifacts/model.onnx -o model_repository/',
        'writes model_repository/model/{config.pbtxt,1/model.onnx}',
      ) as unknown as Argv<ExportTritonArguments>,
  handler: async (args: ArgumentsCamelCase<ExportTritonArguments>) => {
    const { exportTriton } = await import('../../server/triton.ts');
    const result = await exportTriton(args.model, args.output, { name: args.name, maxBatchSize: args['max-batch-size'] });
    process.stdout.write(`wrote ${result.configPath} and ${result.modelPath}${result.labelsPath ? ` and ${result.labelsPath}` : ''}\n`);
  },
};
