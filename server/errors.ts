/**
 * Errors a request can cause. Each carries the HTTP status the Open Inference Protocol asks for;
 * the gRPC front end maps that status to the matching gRPC code (grpcCodeFor), so a failure is
 * defined once, in the core, and both protocols report it the same way. Anything thrown that is
 * not a RequestError is a bug: a 500 / INTERNAL, logged with its stack.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

export class RequestError extends Error {
  readonly statusCode: number;
  /** Set where gRPC has a more precise code than the HTTP status implies (see grpcCodeOf). */
  readonly grpcCode?: GrpcStatus;
  constructor(statusCode: number, message: string, grpcCode?: GrpcStatus) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
    if (grpcCode !== undefined) this.grpcCode = grpcCode;
  }
}

/** The request is well-formed but not a valid inference request for this model (400). */
export class InvalidRequestError extends RequestError {
  constructor(message: string) {
    super(400, message);
  }
}

/** The model (or model version) named in the request is not served here (404). */
export class ModelNotFoundError extends RequestError {
  constructor(name: string, version?: string) {
    super(404, version === undefined ? `model '${name}' is not served here` : `model '${name}' has no version '${version}' ready`);
  }
}

/** Image bytes that neither the PNG nor the JPEG decoder accepts, or that exceed the image limits (400). */
export class UndecodableImageError extends RequestError {
  constructor(detail: string) {
    super(400, `the request body is not a decodable PNG or JPEG image: ${detail}`);
  }
}

/** /classify names a model that is not an image classifier (several inputs, no [N, classes] output, ...) (400). */
export class NotAnImageClassifierError extends RequestError {
  constructor(model: string, reason: string) {
    super(400, `model '${model}' is not an image classifier, so /classify cannot serve it (${reason}); send it tensors with /infer`);
  }
}

/** The server is shutting down, or the model is being unloaded, so it takes no new work (503). */
export class ModelUnavailableError extends RequestError {
  constructor(message: string) {
    super(503, message);
  }
}

/**
 * The request waited in the model's queue longer than its `timeout` parameter allowed (503 /
 * UNAVAILABLE with Triton's words, as its queue policy REJECT answers).
 */
export class QueueTimeoutError extends RequestError {
  constructor(model: string, timeoutUs: number) {
    super(503, `Request timeout expired: the request waited in model '${model}''s queue longer than its timeout of ${timeoutUs} µs`);
  }
}

/** A health probe asked while the server or model cannot serve (shutting down): the protocol's "not ready" is a 4xx (400). */
export class NotReadyError extends RequestError {
  constructor(message: string) {
    super(400, message);
  }
}

/** The model ran but did not return an output it declares: a fault of the model or the runtime, not the request's (500). */
export class MissingModelOutputError extends RequestError {
  constructor(output: string) {
    super(500, `the model returned no output '${output}'`);
  }
}

/** A load or unload request while the model control mode is not explicit, where only the operator decides what is served (400). */
export class ModelControlDisabledError extends RequestError {
  constructor(message: string) {
    super(400, message);
  }
}

/** A load request's parameters (its config and file overrides) that cannot be applied (400). */
export class InvalidLoadParameterError extends RequestError {
  constructor(message: string) {
    super(400, message);
  }
}

/** A load request whose model could not be read or loaded; the message says why, with no server path in it (400). */
export class ModelLoadFailedError extends RequestError {
  constructor(model: string, reason: string) {
    super(400, `failed to load '${model}': ${reason}`);
  }
}

/**
 * A protocol feature this server does not implement (trace settings): 400 over HTTP, as Triton
 * refuses what it does not support, and UNIMPLEMENTED over gRPC; the message names the feature.
 */
export class UnsupportedFeatureError extends RequestError {
  constructor(feature: string, detail: string) {
    super(400, `${feature} is not supported by this server: ${detail}`, GrpcStatus.UNIMPLEMENTED);
  }
}

/**
 * A feature this server has but was started without — client shared memory without
 * --allow-client-shm: 501 / UNIMPLEMENTED, as Triton answers its UNSUPPORTED errors.
 */
export class FeatureDisabledError extends RequestError {
  constructor(message: string) {
    super(501, message);
  }
}

/** A shared-memory region name that is not registered (404 / NOT_FOUND). */
export class RegionNotFoundError extends RequestError {
  constructor(message: string) {
    super(404, message);
  }
}

/** A shared-memory region name registered already: 400 over HTTP and ALREADY_EXISTS over gRPC, as Triton answers. */
export class RegionExistsError extends RequestError {
  constructor(message: string) {
    super(400, message, GrpcStatus.ALREADY_EXISTS);
  }
}

/** Registering would pass --max-shm-regions or --max-shm-bytes: 400 over HTTP, RESOURCE_EXHAUSTED over gRPC. */
export class RegionLimitExceededError extends RequestError {
  constructor(message: string) {
    super(400, message, GrpcStatus.RESOURCE_EXHAUSTED);
  }
}

/** The gRPC code that means what `status` means over HTTP. */
export function grpcCodeFor(status: number): GrpcStatus {
  switch (status) {
    case 400:
    case 415:
      return GrpcStatus.INVALID_ARGUMENT;
    case 404:
      return GrpcStatus.NOT_FOUND;
    case 408:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case 413:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 501:
      return GrpcStatus.UNIMPLEMENTED;
    case 503:
      return GrpcStatus.UNAVAILABLE;
    default:
      return status >= 400 && status < 500 ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL;
  }
}

/** The gRPC code for a refused request: its own when it has one, else the one its HTTP status means. */
export function grpcCodeOf(error: RequestError): GrpcStatus {
  return error.grpcCode ?? grpcCodeFor(error.statusCode);
}
