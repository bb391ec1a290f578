/**
 * What the core needs of a loaded model: the runtime's general Model, with any inputs and outputs
 * of every element type, because the server serves any ONNX model and not only classifiers. The
 * whole of it, not a narrowed shape: /classify builds the runtime's classifier over the very object
 * loadModel returned (classifierFromModel checks that).
 */
export type { Model, TensorData, TensorSpec } from '@tfjs-onnx/runtime';
