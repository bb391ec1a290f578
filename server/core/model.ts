/**
 * What the core needs of a loaded model: the runtime's general Model (CONTRACTS §1: any inputs
 * and outputs, every tensor type). The whole of it, not a narrowed shape: /classify builds the
 * runtime's classifier over the very object loadModel returned (classifierFromModel checks that).
 */
export type { Model, TensorData, TensorSpec, ElementType } from '@tfjs-onnx/runtime';
