/**
 * A MobileNetV2-shaped functional Keras model for conversion timing: depthwise-separable
 * inverted-residual blocks with batch normalization, ReLU6 and residual adds, ~3.5M parameters
 * at 224×224×3 with 1000 classes (MobileNetV2 1.0's published size). Random weights: conversion
 * time depends on the graph and the weight bytes, not on what the weights are.
 */
import * as tf from '@tensorflow/tfjs';

export interface MobileNetShape {
  inputSize: number;
  classCount: number;
}

export const MOBILENET_SHAPE: MobileNetShape = { inputSize: 224, classCount: 1000 };

/** MobileNetV2's bottleneck table: expansion t, output channels c, repeats n, first stride s. */
const BOTTLENECKS: { expansion: number; channels: number; repeats: number; stride: number }[] = [
  { expansion: 1, channels: 16, repeats: 1, stride: 1 },
  { expansion: 6, channels: 24, repeats: 2, stride: 2 },
  { expansion: 6, channels: 32, repeats: 3, stride: 2 },
  { expansion: 6, channels: 64, repeats: 4, stride: 2 },
  { expansion: 6, channels: 96, repeats: 3, stride: 1 },
  { expansion: 6, channels: 160, repeats: 3, stride: 2 },
  { expansion: 6, channels: 320, repeats: 1, stride: 1 },
];

export function describeMobileNet(shape: MobileNetShape = MOBILENET_SHAPE): string {
  const blocks = BOTTLENECKS.reduce((sum, stage) => sum + stage.repeats, 0);
  return `MobileNetV2-shaped functional model, ${shape.inputSize}×${shape.inputSize}×3, ${shape.classCount} classes: ${blocks} inverted-residual blocks (depthwise-separable, batchnorm, relu6, residual adds), random weights`;
}

export function buildMobileNet(shape: MobileNetShape = MOBILENET_SHAPE): tf.LayersModel {
  const input = tf.input({ shape: [shape.inputSize, shape.inputSize, 3], name: 'image' });
  let x = convBnRelu6(input, 32, 3, 2, 'stem');
  let channels = 32;
  let block = 0;
  for (const { expansion, channels: out, repeats, stride } of BOTTLENECKS) {
    for (let r = 0; r < repeats; r++) {
      x = invertedResidual(x, channels, out, expansion, r === 0 ? stride : 1, `block${++block}`);
      channels = out;
    }
  }
  x = convBnRelu6(x, 1280, 1, 1, 'head');
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: shape.classCount, activation: 'softmax', name: 'probabilities' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'mobilenet_like' });
}

function convBnRelu6(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, name: `${name}_conv` }).apply(x);
  return relu6(batchNorm(conv as tf.SymbolicTensor, `${name}_bn`), `${name}_relu6`);
}

/** Expand (1×1) → depthwise 3×3 → project (1×1, linear); a residual add when the shape is kept. */
function invertedResidual(
  x: tf.SymbolicTensor,
  inChannels: number,
  outChannels: number,
  expansion: number,
  stride: number,
  name: string,
): tf.SymbolicTensor {
  let y = x;
  if (expansion !== 1) y = convBnRelu6(y, inChannels * expansion, 1, 1, `${name}_expand`);
  y = tf.layers
    .depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, name: `${name}_depthwise` })
    .apply(y) as tf.SymbolicTensor;
  y = relu6(batchNorm(y, `${name}_depthwise_bn`), `${name}_depthwise_relu6`);
  y = tf.layers.conv2d({ filters: outChannels, kernelSize: 1, useBias: false, name: `${name}_project` }).apply(y) as tf.SymbolicTensor;
  y = batchNorm(y, `${name}_project_bn`);
  if (stride === 1 && inChannels === outChannels) y = tf.layers.add({ name: `${name}_add` }).apply([x, y]) as tf.SymbolicTensor;
  return y;
}

function batchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.batchNormalization({ name }).apply(x) as tf.SymbolicTensor;
}

function relu6(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.reLU({ maxValue: 6, name }).apply(x) as tf.SymbolicTensor;
}
