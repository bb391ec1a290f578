import { readTfjsModelFiles } from '../../common/tfjsModelFiles.ts';

/** model.json and its weight shards, the files that make up a tfjs model. */
export async function tfjsModelFileList(modelJsonPath: string): Promise<string[]> {
  return (await readTfjsModelFiles(modelJsonPath)).files;
}
