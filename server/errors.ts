/**
 * Errors a request can cause, each carrying the HTTP status the Open Inference Protocol asks for.
 * Route code throws these; the app's error handler turns any of them into `{"error": message}`
 * with that status, so no route writes an error reply by hand.
 */
export class RequestError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, message: string) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
  }
}

/** The request is well-formed JSON but not a valid inference request for this model (400). */
export class InvalidRequestError extends RequestError {
  constructor(message: string) {
    super(400, message);
  }
}

/** The model (or model version) named in the path is not served here (404). */
export class ModelNotFoundError extends RequestError {
  constructor(name: string, version?: string) {
    super(404, version === undefined ? `model '${name}' is not served here` : `model '${name}' has no version '${version}'`);
  }
}

/** Image bytes that neither the PNG nor the JPEG decoder accepts (400). */
export class UndecodableImageError extends RequestError {
  constructor(detail: string) {
    super(400, `the request body is not a decodable PNG or JPEG image: ${detail}`);
  }
}

/** The model is loaded but is shutting down, so it takes no new work (503). */
export class ModelUnavailableError extends RequestError {
  constructor(name: string) {
    super(503, `model '${name}' is shutting down and accepts no new requests`);
  }
}
