/**
 * What the core needs of a loaded model: the runtime's general Model (CONTRACTS §1: any inputs
 * and outputs, every tensor type), narrowed to the part the core uses.
 */
import type { Model } from '@tfjs-onnx/runtime';

export type { TensorData, TensorSpec, TensorType } from '@tfjs-onnx/runtime';

export type RunnableModel = Pick<Model, 'inputs' | 'outputs' | 'metadata' | 'run' | 'dispose'>;
