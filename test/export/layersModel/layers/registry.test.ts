/** The converter covers every layer class tfjs registers, so a tfjs model can use no layer it lacks. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { supportedLayerClasses } from '../../../../export/layersModel/layers/index.ts';
import { cellKind } from '../../../../export/layersModel/layers/recurrent/cells.ts';

/** Cells are not layers of a model: RNN (and ConvLSTM2D, for its own cell) hold them. */
const HELD_BY_RNN = ['StackedRNNCells', 'ConvLSTM2DCell'];

describe('layer registry', () => {
  it('converts every layer class tfjs 4.x registers for deserialization', () => {
    const registered = Object.entries(tf.serialization.SerializationMap.getMap().classNameMap)
      .filter(([, [layerClass]]) => (layerClass as { prototype?: unknown }).prototype instanceof tf.layers.Layer)
      .map(([className]) => className);
    expect(registered.length).toBeGreaterThan(60);
    const supported = new Set(supportedLayerClasses());
    const missing = registered.filter((className) => !supported.has(className) && !cellKind(className) && !HELD_BY_RNN.includes(className));
    expect(missing).toEqual([]);
  });
});
