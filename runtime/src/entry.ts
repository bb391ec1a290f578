/** The functions every entry point exports, bound to that entry's Platform. */
import { classifierFromModelOn, loadClassifierOn, type ClassifierOptions, type LoadClassifierOptions } from './classifier.js';
import { loadModelOn } from './model.js';
import type { Platform } from './platform.js';
import type { Classifier, LoadOptions, Model, ModelSource } from './types.js';

export interface EntryPoint {
  /** Loads any ONNX model: named typed inputs and outputs, the session for experts. */
  loadModel(source: ModelSource, options?: LoadOptions): Promise<Model>;
  /** Loads an exported ONNX image classifier: pictures in, labelled top-k probabilities out. */
  loadClassifier(source: ModelSource, options?: LoadClassifierOptions): Promise<Classifier>;
  /**
   * An image classifier over a model loadModel already loaded, sharing its session. The classifier
   * borrows the model: disposing the classifier leaves the model loaded; disposing the model ends
   * the classifier too.
   */
  classifierFromModel(model: Model, options?: ClassifierOptions): Classifier;
}

export function entryPoint(platform: Platform): EntryPoint {
  return {
    loadModel: (source, options) => loadModelOn(platform, source, options),
    loadClassifier: (source, options) => loadClassifierOn(platform, source, options),
    classifierFromModel: (model, options) => classifierFromModelOn(platform, model, options),
  };
}
