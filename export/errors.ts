import { UserError } from '../common/errors.ts';

/**
 * The model uses something the converter has no ONNX translation for: a layer class, activation
 * or option, a TF op, or a value it needs known at conversion time (an axis, a shape) that is
 * computed at run time. The message names the layer or node and what it uses, and lists what is
 * supported, so the user can change the model (or ask for the feature) without reading the
 * converter. (The runtime's UnsupportedModelError means something else: a model that loads but
 * is not an image classifier it can drive.)
 */
export class UnconvertibleModelError extends UserError {}
