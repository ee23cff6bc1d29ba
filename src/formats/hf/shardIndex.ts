import { ModelFormatError } from '../errors.js';
import { readJsonObject } from './jsonFile.js';

/**
 * Reads model.safetensors.index.json and returns its weight_map (tensor name -> shard file name).
 * Shard names must be plain file names in the same folder (no paths, no "..").
 */
export function readShardIndex(indexPath: string): Map<string, string> {
  const index = readJsonObject(indexPath);
  const weightMap = index['weight_map'];
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new ModelFormatError(indexPath, 'weight_map is missing or not an object');
  }
  const result = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || !isPlainFileName(shard)) {
      throw new ModelFormatError(indexPath, `weight_map entry '${name}' is not a file name in the folder: ${JSON.stringify(shard)}`);
    }
    result.set(name, shard);
  }
  return result;
}

function isPlainFileName(s: string): boolean {
  return s.length > 0 && s !== '.' && s !== '..' && !/[/\\\0]/.test(s);
}
