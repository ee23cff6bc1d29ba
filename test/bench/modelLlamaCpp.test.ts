// llama.cpp (through node-llama-cpp, a devDependency) loads a GGUF written by our bench model maker and runs the
// benchmark's tests on it: our writer's metadata is complete enough for llama.cpp. No timing assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TINY_SHAPE } from '../../src/bench/model/benchShape.js';
import { parseBenchTest } from '../../src/bench/model/benchTests.js';
import { ensureBenchModel } from '../../src/bench/model/makeBenchModel.js';
import { measureNodeLlamaCpp } from '../../src/bench/model/measureNodeLlamaCpp.js';

const available = await import('node-llama-cpp').then(() => true, () => false);
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'fastfill-benchllama-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));

test('node-llama-cpp loads our F16 bench model and runs pp and tg on it',
  { skip: available ? false : 'node-llama-cpp (devDependency) is not installed' }, async () => {
    const model = ensureBenchModel({ type: 'f16', shape: TINY_SHAPE, cacheDir, tokenizerDir: null });
    for (const name of ['pp24', 'tg3']) {
      const result = await measureNodeLlamaCpp({
        modelPath: model.path, vocabSize: TINY_SHAPE.vocabSize, test: parseBenchTest(name), threads: 1, reps: 2, chunk: 16, seed: 1,
      });
      assert.equal(result.samples.length, 2);
      assert.ok(result.samples.every((s) => s > 0 && Number.isFinite(s)), `${name}: ${result.samples}`);
      assert.equal(result.info.threads, 1);
      assert.ok(result.info.contextSize >= (name === 'pp24' ? 24 : 19));
      assert.equal(result.info.batchSize, 16);
    }
  });
