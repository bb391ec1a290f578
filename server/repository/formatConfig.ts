/**
 * config.pbtxt as export-triton writes it, in protobuf text format laid out like the examples in
 * Triton's documentation; config.ts reads what is written here back unchanged.
 */
import { DATATYPE_INFO } from '../core/datatypes.ts';
import { ONNX_PLATFORM, type ConfigTensor } from './config.ts';

export interface ConfigParts {
  name: string;
  maxBatchSize: number;
  inputs: ConfigTensor[];
  outputs: ConfigTensor[];
  /** Dynamic batching's delay; written only when the model batches (max_batch_size > 0). */
  maxQueueDelayMicroseconds: number;
}

/** config.pbtxt in protobuf text format, laid out like the examples in Triton's documentation. */
export function formatModelConfig(parts: ConfigParts): string {
  const tensor = (t: ConfigTensor) =>
    `  {\n    name: ${quote(t.name)}\n    data_type: ${DATATYPE_INFO[t.datatype].configType}\n    dims: [ ${t.dims.join(', ')} ]\n${t.labelFilename ? `    label_filename: ${quote(t.labelFilename)}\n` : ''}  }`;
  const lines = [
    `name: ${quote(parts.name)}`,
    `platform: "${ONNX_PLATFORM}"`,
    `max_batch_size: ${parts.maxBatchSize}`,
    `input [\n${parts.inputs.map(tensor).join(',\n')}\n]`,
    `output [\n${parts.outputs.map(tensor).join(',\n')}\n]`,
  ];
  // Dynamic batching needs a batch axis; a model exported with max_batch_size 0 runs requests one by one.
  if (parts.maxBatchSize > 0) lines.push(`dynamic_batching {\n  max_queue_delay_microseconds: ${parts.maxQueueDelayMicroseconds}\n}`);
  return `${lines.join('\n')}\n`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}
