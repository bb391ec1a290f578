/**
 * Layer classes the converter knows it does not convert, and why: shown in the error that lists a
 * model's unsupported classes and, through the README generator, in the README. (Refused option
 * values are declared with each layer's options: definition.ts.)
 */
export const unsupportedLayers: Readonly<Record<string, string>> = {
  Lambda: 'its function is Python code stored in the config, which no other runtime can read',
  MultiHeadAttention:
    'not converted yet (tfjs-layers 4.x carries it for an unfinished GPT-2 port that its build neither exports nor registers, so no tfjs model contains it); a plugin can provide it',
  CachedMultiHeadAttention: "part of tfjs-layers' unregistered GPT-2 port, with a key/value cache that feeds back between calls",
  EinsumDense: "not converted yet (in tfjs-layers' unfinished, unregistered GPT-2 port only); a plugin can provide it",
  PositionEmbedding: "not converted yet (in tfjs-layers' unfinished, unregistered GPT-2 port only); a plugin can provide it",
  TransformerDecoder: "not converted yet (in tfjs-layers' unfinished, unregistered GPT-2 port only); a plugin can provide it",
  GPT2Backbone: "tfjs-layers' unregistered GPT-2 port: a whole model of unexported layers",
  GPT2CausalLM: "tfjs-layers' unregistered GPT-2 port, which generates text token by token outside the graph",
  BytePairTokenizer: 'works on strings, which the converter does not carry through ONNX graphs',
  GPT2Tokenizer: 'works on strings, which the converter does not carry through ONNX graphs',
  StartEndPacker: 'works on token lists of varying length outside the tensor graph',
  GPT2Preprocessor: 'works on strings, which the converter does not carry through ONNX graphs',
  GPT2CausalLMPreprocessor: 'works on strings, which the converter does not carry through ONNX graphs',
  TextVectorization: 'works on strings, which the converter does not carry through ONNX graphs',
  StringLookup: 'works on strings, which the converter does not carry through ONNX graphs',
  Hashing: 'Keras hashes with SipHash/FarmHash, which ONNX has no operator for',
  Attention: 'not converted yet (Keras only); a plugin can provide it',
  AdditiveAttention: 'not converted yet (Keras only); a plugin can provide it',
};
