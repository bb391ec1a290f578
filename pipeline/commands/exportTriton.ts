/** `tfjs-onnx export-triton <model.onnx> -o <dir>`: a thin yargs layer over exportTriton(). */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { DEFAULT_MAX_BATCH_SIZE, exportTriton } from '../../server/triton.ts';

interface ExportTritonArguments {
  model: string;
  output: string;
  name?: string;
  'max-batch-size': number;
}

export const exportTritonCommand: CommandModule<object, ExportTritonArguments> = {
  command: 'export-triton <model>',
  describe: 'Write a Triton Inference Server model repository entry (config.pbtxt + 1/model.onnx)',
  builder: (cli: Argv) =>
    cli
      .positional('model', { type: 'string', demandOption: true, describe: 'The exported ONNX model' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Model repository directory' })
      .option('name', { type: 'string', describe: 'Model name in the repository (default: file name without extension)' })
      .option('max-batch-size', { type: 'number', default: DEFAULT_MAX_BATCH_SIZE, describe: "Triton's max_batch_size; 0 for a model without a batch axis" })
      .example('$0 export-triton artifacts/model.onnx -o model_repository/', 'writes model_repository/model/{config.pbtxt,1/model.onnx}') as unknown as Argv<ExportTritonArguments>,
  handler: async (args: ArgumentsCamelCase<ExportTritonArguments>) => {
    const result = await exportTriton(args.model, args.output, { name: args.name, maxBatchSize: args['max-batch-size'] });
    process.stdout.write(`wrote ${result.configPath} and ${result.modelPath}${result.labelsPath ? ` and ${result.labelsPath}` : ''}\n`);
  },
};
