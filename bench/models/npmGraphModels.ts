/**
 * Real tfjs GraphModels that ship inside an npm package's tarball (weights included, nothing
 * fetched at run time): @vladmandic/human (MIT, a devDependency: 28.6 MB download, 43 MB
 * unpacked) carries the models of its face, body and hand pipelines in `models/`. The conversion
 * tests and the graph-model benchmark read them from node_modules.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

export interface NpmGraphModel {
  /** The file name in @vladmandic/human/models without .json. */
  name: string;
  architecture: string;
  /** Input values the model expects (its preprocessing's range). */
  inputRange: [number, number];
}

export const NPM_GRAPH_MODEL_PACKAGE = '@vladmandic/human';

export const NPM_GRAPH_MODELS: readonly NpmGraphModel[] = [
  {
    name: 'blazeface',
    architecture:
      'BlazeFace: SSD-style face detector, depthwise residual blocks with Pad/MaxPool shortcuts, anchor heads reshaped per anchor (256×256)',
    inputRange: [-1, 1],
  },
  {
    name: 'emotion',
    architecture:
      'mini-Xception emotion classifier: separable convolutions, residual adds, global average pool, softmax (64×64 grey, symbolic batch)',
    inputRange: [0, 1],
  },
  {
    name: 'movenet-lightning',
    architecture:
      'MoveNet Lightning pose: MobileNetV2 + FPN with bilinear upsampling, CenterNet-style keypoint decoding (ArgMax, FloorDiv, GatherNd), int32 192×192 input',
    inputRange: [0, 255],
  },
  {
    name: 'facemesh',
    architecture: 'FaceMesh landmarks: PReLU residual blocks with channel padding, three regression heads (192×192)',
    inputRange: [0, 1],
  },
  { name: 'iris', architecture: 'Iris landmarks: PReLU residual network, concatenated heads (64×64)', inputRange: [0, 1] },
  {
    name: 'handlandmark-lite',
    architecture: 'hand landmarks (lite): MobileNetV2-style inverted residuals with AddN, dense heads (224×224)',
    inputRange: [0, 1],
  },
  {
    name: 'faceres',
    architecture:
      'face description: depthwise-separable network with clipped ReLUs (Minimum/Maximum), age, gender and descriptor heads (224×224)',
    inputRange: [0, 1],
  },
  {
    name: 'antispoof',
    architecture: 'anti-spoofing CNN classifier: fused convolutions, pooling, dense layers (128×128)',
    inputRange: [0, 1],
  },
  {
    name: 'centernet',
    architecture:
      'CenterNet object detector: MobileNetV3-style hard-swish and squeeze-excite blocks, upsampling FPN, TopK decoding with FloorDiv/FloorMod/GatherV2 (512×512)',
    inputRange: [0, 1],
  },
  {
    name: 'handtrack',
    architecture:
      'hand detector (TF Object Detection API SSD): a tf.map_fn over the batch (a TF2 while loop lowered to TF1 frames, with TensorLists) resizing each image, anchor decoding, per-class NMS padded to 100 detections (uint8 320×320)',
    inputRange: [0, 255],
  },
  {
    name: 'liveness',
    architecture: 'liveness CNN classifier: fused convolutions, pooling, dense layers, softmax (32×32)',
    inputRange: [0, 1],
  },
];

/** model.json of a packaged model (resolved through node_modules, so it works from any checkout). */
export function npmGraphModelPath(name: string): string {
  const require = createRequire(import.meta.url);
  // The package exports no package.json; its main entry sits in dist/.
  const main = require.resolve(NPM_GRAPH_MODEL_PACKAGE);
  return path.join(path.dirname(path.dirname(main)), 'models', `${name}.json`);
}
