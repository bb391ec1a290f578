/** What every entry point exports besides loadModel, loadClassifier and classifierFromModel: the public types, errors and constants. */
export type {
  BrowserImageSource,
  Classification,
  Classifier,
  ClassifierFeeds,
  ClassifierInput,
  ClassifyOptions,
  CudaOptions,
  Device,
  ExecutionProviderConfig,
  GpuAdapterInfo,
  GpuDevice,
  ImageDataLike,
  Layout,
  LoadOptions,
  LogLevel,
  Model,
  ModelDtype,
  ModelSource,
  Placement,
  Prediction,
  PreprocessSpec,
  ResolvedDevice,
  RunOptions,
  RuntimePackage,
  TensorArray,
  TensorArrayMap,
  TensorData,
  TensorSpec,
  ElementType,
  WebGpuOptions,
} from './types.js';
export type { ClassifierOptions, LoadClassifierOptions } from './classifier.js';
export {
  BackendUnavailableError,
  DisposedError,
  TfjsOnnxRuntimeError,
  RuntimeOptionError,
  CudaUnavailableError,
  ForeignModelError,
  ImageDecodeError,
  ImageSizeError,
  InferenceError,
  ModelLoadError,
  RuntimeInputError,
  UnsupportedModelError,
} from './errors.js';
export * from './constants.js';
/** The bounds on pictures classify() accepts, and the check the decoders apply from the header. */
export { checkImageSize, type ImageLimits } from './image/limits.js';
export { readImageHeader, type ImageHeader } from './image/format.js';
/** The resampler the classifier uses to bring images to the model's size (area when shrinking, bilinear when enlarging). */
export { resizeImage, type PixelImage } from './image/pixels.js';
/** Where a model runs, as one line for logs and tables. */
export { describePlacement } from './devices/adapter.js';
