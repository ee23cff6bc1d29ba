import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openHfFolder } from '../../src/formats/hf/folder.js';
import { writeSafetensors } from '../../src/formats/safetensors/writer.js';
import { openSafetensors } from '../../src/formats/safetensors/reader.js';
import { ggufTensorSources, safetensorsTensorSources } from '../../src/formats/tensorSource.js';
import { openGguf } from '../../src/formats/gguf/reader.js';
import { gguf, writeGguf } from '../../src/formats/gguf/writer.js';
import { ModelFormatError } from '../../src/formats/errors.js';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { tempDir } from './support/tempDir.js';

const root = tempDir();
const CONFIG = { architectures: ['LlamaForCausalLM'], hidden_size: 4, num_hidden_layers: 1 };

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

function folder(name: string, files: Record<string, string | null>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) if (text !== null) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

function failsNaming(fn: () => unknown, file: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelFormatError, String(e));
    assert.equal(e.file, file);
    assert.match(e.problem, pattern);
    return true;
  });
}

test('single-file folder: config and tensors in ggml order, data on demand', () => {
  const dir = folder('single', { 'config.json': JSON.stringify(CONFIG) });
  writeSafetensors(path.join(dir, 'model.safetensors'), [
    { name: 'model.norm.weight', dtype: 'F32', shape: [4], data: f32(1, 2, 3, 4) },
    { name: 'lm_head.weight', dtype: 'BF16', shape: [3, 4], data: new Uint8Array(24) },
  ]);
  const hf = openHfFolder(dir);
  assert.deepEqual(hf.config, CONFIG);
  assert.deepEqual([...hf.tensors.keys()], ['model.norm.weight', 'lm_head.weight']);
  const head = hf.tensors.get('lm_head.weight')!;
  assert.deepEqual([head.name, head.type, head.dims], ['lm_head.weight', GgmlType.BF16, [4, 3]]);
  assert.deepEqual(hf.tensors.get('model.norm.weight')!.data(), f32(1, 2, 3, 4));
  hf.close();
});

test('sharded folder: tensors come from the shard the weight_map names', () => {
  const dir = folder('sharded', {
    'config.json': JSON.stringify(CONFIG),
    'model.safetensors.index.json': JSON.stringify({
      metadata: { total_size: 24 },
      weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' },
    }),
  });
  writeSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), [
    { name: 'a', dtype: 'F32', shape: [1], data: f32(1) },
    { name: 'c', dtype: 'F32', shape: [2, 1], data: f32(3, 4) },
  ]);
  writeSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), [{ name: 'b', dtype: 'F32', shape: [1], data: f32(2) }]);
  const hf = openHfFolder(dir);
  assert.equal(hf.files.length, 2);
  assert.deepEqual([...hf.tensors.keys()].sort(), ['a', 'b', 'c']);
  assert.deepEqual(hf.tensors.get('b')!.data(), f32(2));
  assert.deepEqual(hf.tensors.get('c')!.dims, [1, 2]);
  assert.deepEqual(hf.tensors.get('c')!.data(), f32(3, 4));
  hf.close();
});

test('folder problems name the file at fault', () => {
  const missing = path.join(root, 'nope');
  failsNaming(() => openHfFolder(missing), missing, /not a folder/);
  const noConfig = folder('noconfig', {});
  failsNaming(() => openHfFolder(noConfig), path.join(noConfig, 'config.json'), /cannot read file/);
  const badJson = folder('badjson', { 'config.json': '{"a":' });
  failsNaming(() => openHfFolder(badJson), path.join(badJson, 'config.json'), /not valid JSON/);
  const arrayConfig = folder('arrayconfig', { 'config.json': '[1]' });
  failsNaming(() => openHfFolder(arrayConfig), path.join(arrayConfig, 'config.json'), /expected a JSON object/);
  const noWeights = folder('noweights', { 'config.json': '{}' });
  failsNaming(() => openHfFolder(noWeights), noWeights, /no model.safetensors or model.safetensors.index.json/);
  const noMap = folder('nomap', { 'config.json': '{}', 'model.safetensors.index.json': '{"metadata": {}}' });
  failsNaming(() => openHfFolder(noMap), path.join(noMap, 'model.safetensors.index.json'), /weight_map is missing/);
  const escape = folder('escape', { 'config.json': '{}', 'model.safetensors.index.json': '{"weight_map": {"a": "../single/model.safetensors"}}' });
  failsNaming(() => openHfFolder(escape), path.join(escape, 'model.safetensors.index.json'), /'a' is not a file name in the folder/);
  const absentShard = folder('absentshard', { 'config.json': '{}', 'model.safetensors.index.json': '{"weight_map": {"a": "s.safetensors"}}' });
  failsNaming(() => openHfFolder(absentShard), path.join(absentShard, 's.safetensors'), /cannot open file/);
  const wrongShard = folder('wrongshard', { 'config.json': '{}', 'model.safetensors.index.json': '{"weight_map": {"zz": "s.safetensors"}}' });
  writeSafetensors(path.join(wrongShard, 's.safetensors'), [{ name: 'a', dtype: 'F32', shape: [1], data: f32(1) }]);
  failsNaming(() => openHfFolder(wrongShard), path.join(wrongShard, 'model.safetensors.index.json'), /puts tensor 'zz' in s.safetensors, which has no such tensor/);
  const badShard = folder('badshard', { 'config.json': '{}', 'model.safetensors': 'garbage!' });
  failsNaming(() => openHfFolder(badShard), path.join(badShard, 'model.safetensors'), /header length/);
});

test('GGUF and safetensors files give the same kind of TensorSource map', () => {
  const g = path.join(root, 'ts.gguf');
  writeGguf(g, { metadata: [['general.architecture', gguf.str('llama')]], tensors: [{ name: 'w', type: GgmlType.F32, dims: [2, 1], data: f32(5, 6) }] });
  const s = path.join(root, 'ts.safetensors');
  writeSafetensors(s, [{ name: 'w', dtype: 'F32', shape: [1, 2], data: f32(5, 6) }]);
  const gf = openGguf(g);
  const sf = openSafetensors(s);
  for (const map of [ggufTensorSources(gf), safetensorsTensorSources(sf)]) {
    const w = map.get('w')!;
    assert.deepEqual([w.name, w.type, w.dims], ['w', GgmlType.F32, [2, 1]]);
    assert.deepEqual(w.data(), f32(5, 6));
  }
  gf.close();
  sf.close();
});
