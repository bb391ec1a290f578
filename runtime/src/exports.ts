/** What both entry points export besides loadClassifier: the public types and error classes. */
export type {
  Backend,
  Classification,
  Classifier,
  ClassifierInput,
  ClassifyOptions,
  Device,
  ExecutionDevice,
  ImageDataLike,
  Layout,
  LoadOptions,
  ModelSource,
  Prediction,
  PreprocessSpec,
} from './types.js';
export {
  BackendUnavailableError,
  ClassifierDisposedError,
  ClassifierError,
  ClassifierOptionError,
  CudaUnavailableError,
  ImageDecodeError,
  InferenceError,
  ModelLoadError,
  RuntimeInputError,
  UnsupportedModelError,
} from './errors.js';
export { METADATA_LABELS, METADATA_PREPROCESS } from './model/signature.js';
export { DEFAULT_TOP_K } from './classifier.js';
/** The resampler the classifier uses to bring images to the model's size (area when shrinking, bilinear when enlarging). */
export { resizeImage, type PixelImage } from './image/pixels.js';
