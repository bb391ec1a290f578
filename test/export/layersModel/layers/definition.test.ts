/**
 * Layer declarations: each built-in layer declares its options once; they are read, typed and
 * checked before its converter runs, and the support check finds activation options through them.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../common/errors.ts';
import { convertLayersModel } from '../../../../export/index.ts';
import { readLayerArgs } from '../../../../export/layersModel/layers/definition.ts';
import { builtInLayerFamilies, layerDefinition } from '../../../../export/layersModel/layers/index.ts';
import { LayerConfig } from '../../../../export/layersModel/reader/layerConfig.ts';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { rewriteJson, saveModel } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const conv2d = () => layerDefinition('Conv2D')!.options;

describe('layer declarations', () => {
  it('read a (camelCased) config into typed options, with the declared defaults', () => {
    const args = readLayerArgs(
      conv2d(),
      new LayerConfig('conv', 'Conv2D', { filters: 4, kernelSize: 3, activation: 'hardSigmoid', padding: 'same' }),
    );
    expect(args).toEqual({
      kernelSize: [3, 3],
      strides: [1, 1],
      dilationRate: [1, 1],
      padding: 'same',
      dataFormat: 'channelsLast',
      filters: 4,
      groups: 1,
      useBias: true,
      activation: 'hardSigmoid',
    });
  });

  it('name the layer and the option when a value is invalid', () => {
    const read = () => readLayerArgs(conv2d(), new LayerConfig('conv', 'Conv2D', { filters: 4, kernelSize: 3, strides: 'two' }));
    expect(read).toThrow(InvalidInputError);
    expect(read).toThrow('layer "conv" (Conv2D): option strides="two" is invalid; expected an integer or a list of 2 integers');
  });

  it('mark every option that names an activation, which the support check lists up front', async () => {
    const activationOptions = builtInLayerFamilies()
      .flatMap(({ definitions }) => Object.entries(definitions))
      .flatMap(([className, definition]) =>
        Object.entries(definition.options)
          .filter(([, option]) => option.activation)
          .map(([key]) => `${className}.${key}`),
      );
    expect(activationOptions).toEqual(
      expect.arrayContaining([
        'Dense.activation',
        'Activation.activation',
        'Conv2D.activation',
        'LSTM.recurrentActivation',
        'ConvLSTM2D.recurrentActivation',
      ]),
    );

    const input = tf.input({ shape: [3, 2], name: 'sequence' });
    const lstm = tf.layers.lstm({ units: 2, name: 'memory' }).apply(input) as tf.SymbolicTensor;
    const modelJson = await saveModel(
      tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'head' }).apply(lstm) as tf.SymbolicTensor }),
    );
    await rewriteJson(modelJson, (json) => {
      for (const layer of json.modelTopology.config.layers) {
        if (layer.name === 'memory') layer.config.recurrent_activation = 'sparsemax';
        if (layer.name === 'head') layer.config.activation = 'sparsemax';
      }
    });
    await expect(convertLayersModel(modelJson)).rejects.toThrow(/activations sparsemax \(2 layers, first "memory"\)/);
  });
});
