import type { ByteSource } from '../byteSource.js';
import fs from 'node:fs';
import path from 'node:path';
import { ModelFormatError } from '../errors.js';
import { openSafetensors } from '../safetensors/reader.js';
import type { SafetensorsFile } from '../safetensors/types.js';
import type { TensorSource } from '../tensorSource.js';
import { readJsonObject } from './jsonFile.js';
import { readShardIndex } from './shardIndex.js';

export const CONFIG_FILE = 'config.json';
export const SINGLE_WEIGHTS_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export interface HfFolder {
  dir: string;
  /** config.json as parsed (checked to be an object only) */
  config: Record<string, unknown>;
  tensors: Map<string, TensorSource>;
  /** the open safetensors files (one, or one per shard) */
  files: SafetensorsFile[];
  close(): void;
}

/**
 * Opens a Hugging Face model folder: config.json plus model.safetensors, or the shards listed in
 * model.safetensors.index.json. Tensor bytes are read on demand.
 */
export function openHfFolder(dir: string, openSource?: (path: string) => ByteSource): HfFolder {
  if (!isDirectory(dir)) throw new ModelFormatError(dir, 'not a folder');
  const config = readJsonObject(path.join(dir, CONFIG_FILE));
  const indexPath = path.join(dir, INDEX_FILE);
  const singlePath = path.join(dir, SINGLE_WEIGHTS_FILE);
  const files: SafetensorsFile[] = [];
  const closeAll = (): void => { for (const f of files) f.close(); };
  try {
    const tensors = new Map<string, TensorSource>();
    if (fs.existsSync(indexPath)) {
      const weightMap = readShardIndex(indexPath);
      const shards = new Map<string, SafetensorsFile>();
      for (const [name, shard] of weightMap) {
        let file = shards.get(shard);
        if (!file) {
          file = openSafetensors(path.join(dir, shard), openSource);
          files.push(file);
          shards.set(shard, file);
        }
        const info = file.tensor(name);
        if (!info) throw new ModelFormatError(indexPath, `weight_map puts tensor '${name}' in ${shard}, which has no such tensor`);
        tensors.set(name, { name, type: info.type, dims: info.dims, data: () => file!.tensorData(info) });
      }
    } else if (fs.existsSync(singlePath)) {
      const file = openSafetensors(singlePath, openSource);
      files.push(file);
      for (const info of file.tensors) {
        tensors.set(info.name, { name: info.name, type: info.type, dims: info.dims, data: () => file.tensorData(info) });
      }
    } else {
      throw new ModelFormatError(dir, `no ${SINGLE_WEIGHTS_FILE} or ${INDEX_FILE} in the folder`);
    }
    return { dir, config, tensors, files, close: closeAll };
  } catch (e) {
    closeAll();
    throw e;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
