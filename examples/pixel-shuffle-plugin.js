// A plugin for a custom layer: PixelShuffle, the depth-to-space upscaling step of ESPCN-style
// super-resolution models, [batch, h, w, c·r²] → [batch, h·r, w·r, c] (tf.depthToSpace, NHWC).
// Load it with `tfjs-onnx convert model.json -o model.onnx --plugin ./pixel-shuffle-plugin.js`,
// or import it before calling convertLayersModel().
import { attr, registerLayerConverter } from 'tfjs-onnx-cli/plugins';

registerLayerConverter('PixelShuffle', (ctx) => {
  const x = ctx.input();
  ctx.requireRank(x, 4);
  const r = ctx.config.int('blockSize'); // the layer's getConfig() key, camelCased
  const [batch, height, width, channels] = x.shape;
  if (channels === null || channels % (r * r) !== 0)
    throw ctx.config.invalid('blockSize', `a block size whose square divides the channels (${channels})`);
  // ONNX DepthToSpace works on NCHW; its DCR order is TensorFlow's depth_to_space order.
  const y = ctx.graph.node('DepthToSpace', [ctx.channelsFirst(x, 'channelsLast')], { blocksize: attr.int(r), mode: attr.string('DCR') });
  const scaled = (size) => (size === null ? null : size * r);
  return ctx.channelsFirstResult(y, [batch, scaled(height), scaled(width), channels / (r * r)], 'channelsLast');
});
