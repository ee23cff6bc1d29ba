// Makes test/fixtures/reference/lowbit-llamacpp.json: llama.cpp's (node-llama-cpp's, a devDependency)
// greedy ids and top-5 log-probs on qwen2-pub re-encoded as Q3_K, Q2_K, IQ4_NL and IQ4_XS by our quantizers
// (test/helpers/lowBitModels.ts), for the prompts of ../shared's qwen2-pub cases.
//   npx tsc -p . && node dist/tools/lowBitReference.js
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ggmlTypeName } from '../src/formats/ggmlTypes.js';
import { lowBitModel, LOW_BIT_TYPES } from '../test/helpers/lowBitModels.js';
import { FIXTURES_DIR, sharedPath } from '../test/helpers/paths.js';

const STEPS = 24;

async function main(): Promise<void> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: 2 });
  const cases = (JSON.parse(readFileSync(sharedPath('models/random/cases.json'), 'utf8')).cases as { model_file: string; prompt_ids: number[] }[])
    .filter((c) => c.model_file.endsWith('qwen2-pub-f32.gguf'));
  const models = [];
  for (const type of LOW_BIT_TYPES) {
    const file = lowBitModel(type);
    const model = await llama.loadModel({ modelPath: file });
    const prompts = [];
    for (const c of cases) {
      const context = await model.createContext({ contextSize: 512, batchSize: 512, threads: 2, sequences: 1 });
      const sequence = context.getSequence();
      const greedy: number[] = [];
      const top5: [number, number][][] = [];
      const it = sequence.evaluateWithMetadata(c.prompt_ids as never, { probabilities: true }, { temperature: 0 });
      for await (const out of it) {
        greedy.push(out.token as number);
        top5.push([...out.probabilities.entries()].slice(0, 5).map(([id, p]) => [id as number, Number(Math.log(p).toFixed(6))]));
        if (greedy.length === STEPS) break;
      }
      await context.dispose();
      prompts.push({ prompt_ids: c.prompt_ids, greedy_ids: greedy, top5_logprobs: top5 });
    }
    await model.dispose();
    models.push({ type: ggmlTypeName(type), sha256: createHash('sha256').update(readFileSync(file)).digest('hex'), prompts });
  }
  const out = path.join(FIXTURES_DIR, 'reference', 'lowbit-llamacpp.json');
  mkdirSync(path.dirname(out), { recursive: true });
  const pkg = JSON.parse(readFileSync(path.join(FIXTURES_DIR, '..', '..', 'package.json'), 'utf8'));
  writeFileSync(out, JSON.stringify({ generator: 'tools/lowBitReference.ts', nodeLlamaCpp: pkg.devDependencies['node-llama-cpp'],
    llamaCppBuild: llama.llamaCppRelease, source: 'models/random/qwen2-pub-f32.gguf', steps: STEPS, models }, null, 1) + '\n');
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
