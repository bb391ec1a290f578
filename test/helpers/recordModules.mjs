// `node --import test/helpers/recordModules.mjs ...`: appends the URL of every module the program
// imports to the file named by TFJS_ONNX_MODULE_LOG (the hooks run on node's loader thread).
import { register } from 'node:module';

register('./recordModulesHooks.mjs', import.meta.url);
