/**
 * `tfjs-onnx predict <model.onnx> <images...>`: the yargs command; the work is in ../predict.ts,
 * imported when the command runs, so `--help` loads neither onnxruntime nor the image decoders.
 */
import type { Device } from '@tfjs-onnx/runtime/constants';
import type { ArgumentsCamelCase, Argv } from 'yargs';
import { deviceFlag, integerFlag, type CliCommand } from '../flags.ts';
import { PREDICT_DEFAULTS, TOP_K_LIMITS } from '../options.ts';

interface PredictArguments {
  model: string;
  images: string[];
  device: Device;
  'top-k': number;
  json: boolean;
}

export const predictCommand: CliCommand = {
  missing: { model: 'name the .onnx model to classify with', images: 'name at least one PNG or JPEG image to classify' },
  command: 'predict <model> <images..>',
  describe: 'Classify PNG or JPEG images with an ONNX model (via @tfjs-onnx/runtime)',
  builder: (cli: Argv) =>
    cli
      .positional('model', { type: 'string', demandOption: true, describe: 'The .onnx model' })
      .positional('images', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'PNG or JPEG files, folders of them, or quoted glob patterns (any number); resized and converted to the model input',
      })
      .option(...deviceFlag('Where to run'))
      .option(...integerFlag('top-k', { ...TOP_K_LIMITS, default: PREDICT_DEFAULTS.topK, describe: 'Classes to show per image' }))
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .example('$0 predict artifacts/model.onnx digit.png', `top ${PREDICT_DEFAULTS.topK} classes of digit.png`)
      .example("$0 predict model.onnx digits/ 'more/*.png'", 'every PNG/JPEG in digits/ and the files the pattern matches')
      .example('$0 predict model.onnx a.png b.jpg --device wasm --json', 'onnxruntime-web (WebAssembly), JSON output')
      .example(
        '$0 predict model.onnx digits/ --device auto',
        'a GPU where one works, else the CPU; says which and why',
      ) as unknown as Argv<PredictArguments>,
  handler: async (args: ArgumentsCamelCase<PredictArguments>) => {
    const { predictImages, formatPredictions } = await import('../predict.ts');
    const result = await predictImages(args.model, args.images, { device: args.device, topK: args['top-k'] });
    process.stdout.write(`${args.json ? JSON.stringify(result, null, 2) : formatPredictions(result)}\n`);
  },
};
