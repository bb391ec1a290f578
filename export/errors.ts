import { UserError } from '../common/errors.ts';

/**
 * The model uses a layer class, activation or option the converter has no ONNX translation for.
 * The message names the layer, its class and the option, and lists what is supported, so the
 * user can change the model (or ask for the feature) without reading the converter.
 */
export class UnsupportedModelError extends UserError {}
