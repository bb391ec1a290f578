/**
 * A document the tests read or rewrite field by field without a declared type: a reply body parsed
 * from JSON, a message decoded by @grpc/proto-loader, a model.json edited into Keras forms tfjs never
 * writes, a metrics.json broken on purpose. A test checks each field it reads with expect(), and the
 * edits write fields of any type (a malformed document is the point), so a declared type would mean
 * a cast at every step. Everything else has a real type; only these documents use this one.
 */
// biome-ignore lint/suspicious/noExplicitAny: the tests read and write these documents' fields freely and check what they read with expect()
export type UntypedDocument = any;
