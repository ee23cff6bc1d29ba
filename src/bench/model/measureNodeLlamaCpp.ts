// The same benchmark tests on node-llama-cpp (llama.cpp's CPU backend), for side-by-side comparison: same GGUF,
// context length, thread count, batch size (= our prefill chunk), token ids and repetition scheme.
// node-llama-cpp is a devDependency, imported only when this runs.
import type { Token } from 'node-llama-cpp';
import { randomTokenIds, testContextLength, TG_PROMPT_TOKENS, type BenchTest } from './benchTests.js';

export interface NodeLlamaCppRun {
  modelPath: string;
  /** embedding rows of the model (the range of the random token ids) */
  vocabSize: number;
  test: BenchTest;
  threads: number;
  reps: number;
  chunk: number;
  seed: number;
}

export interface NodeLlamaCppResult {
  /** tokens per second of each repetition */
  samples: number[];
  /** what the library reports it used */
  info: { contextSize: number; batchSize: number; threads: number; flashAttention: string; build: string; systemInfo: string };
}

export async function measureNodeLlamaCpp(run: NodeLlamaCppRun): Promise<NodeLlamaCppResult> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: run.threads });
  try {
    const model = await llama.loadModel({ modelPath: run.modelPath });
    const contextSize = testContextLength(run.test);
    const context = await model.createContext({
      contextSize,
      batchSize: Math.min(run.chunk, contextSize),
      threads: { ideal: run.threads, min: run.threads },
      sequences: 1,
    });
    const sequence = context.getSequence();
    const vocab = run.vocabSize;
    const samples: number[] = [];
    if (run.test.kind === 'pp') {
      const ids = randomTokenIds(run.test.tokens, vocab, run.seed) as Token[];
      await sequence.evaluateWithoutGeneratingNewTokens(ids.slice(0, Math.min(run.chunk, ids.length))); // warm-up
      for (let r = 0; r < run.reps; r++) {
        await sequence.clearHistory();
        const start = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(ids);
        samples.push(run.test.tokens / ((performance.now() - start) / 1000));
      }
    } else {
      const prompt = randomTokenIds(TG_PROMPT_TOKENS, vocab, run.seed) as Token[];
      for (let r = -1; r < run.reps; r++) {
        await sequence.clearHistory();
        // greedy; yields every token (end-of-generation included), one decode step per next()
        const tokens = sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true });
        await tokens.next(); // the prompt, and the first token sampled from it
        const steps = r < 0 ? Math.min(2, run.test.tokens) : run.test.tokens;
        const start = performance.now();
        for (let i = 0; i < steps; i++) await tokens.next();
        if (r >= 0) samples.push(steps / ((performance.now() - start) / 1000));
        await tokens.return();
      }
    }
    const info = {
      contextSize: context.contextSize, batchSize: context.batchSize, threads: context.currentThreads,
      flashAttention: String(context.flashAttention), build: llama.buildType, systemInfo: llama.systemInfo,
    };
    await context.dispose();
    await model.dispose();
    return { samples, info };
  } finally {
    await llama.dispose();
  }
}
