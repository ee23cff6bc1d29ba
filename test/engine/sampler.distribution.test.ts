import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler, type SamplingParams } from '../../src/engine/sampler.js';
import { CHI_SQUARE_0_999, chiSquare, referenceDistribution, softmax } from './reference.js';

const LOGITS = Float32Array.from([1.2, -0.3, 0.4, 2.0, 0.9]);
const DRAWS = 20_000;

function histogram(params: Partial<SamplingParams>, logits = LOGITS, draws = DRAWS): number[] {
  const sampler = new Sampler(params, logits.length);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampler.sample(logits)]!++;
  return counts;
}

test('draws follow softmax(logits / T): chi-square within the 0.1% bound, and far outside it for a wrong T', () => {
  for (const [temperature, seed] of [[0.7, 1], [1, 2], [1.8, 3]] as const) {
    const counts = histogram({ temperature, seed });
    const statistic = chiSquare(counts, softmax(LOGITS, temperature));
    assert.ok(statistic < CHI_SQUARE_0_999[4]!, `T=${temperature}: chi-square ${statistic}`);
    // the same counts are inconsistent with a temperature off by 20%
    const wrong = chiSquare(counts, softmax(LOGITS, temperature * 1.2));
    assert.ok(wrong > 5 * CHI_SQUARE_0_999[4]!, `T=${temperature}: wrong-T chi-square only ${wrong}`);
  }
});

test('after top-k and top-p only the allowed tokens appear, in the renormalized proportions', () => {
  const cases: [Partial<SamplingParams>, number[]][] = [
    [{ topK: 2 }, [0, 3]],
    [{ topP: 0.75 }, [0, 3, 4]],
    [{ topK: 3, topP: 0.8 }, [0, 3]],
    [{ minP: 0.3 }, [0, 3, 4]],
  ];
  for (const [cuts, allowed] of cases) {
    const params = { temperature: 1, topK: 0, topP: 1, minP: 0, ...cuts };
    const counts = histogram({ ...params, seed: 99 });
    const seen = counts.flatMap((c, id) => (c > 0 ? [id] : []));
    assert.deepEqual(seen, allowed, JSON.stringify(cuts));
    const expected = referenceDistribution(LOGITS, params);
    const keptCounts = allowed.map((id) => counts[id]!);
    const keptProbs = allowed.map((id) => expected[id]!);
    const bound = CHI_SQUARE_0_999[allowed.length - 1]!;
    assert.ok(chiSquare(keptCounts, keptProbs) < bound, JSON.stringify({ cuts, counts }));
  }
});

test('same seed gives the same tokens; different seeds give different ones', () => {
  const vocab = 1000;
  const steps = Array.from({ length: 200 }, (_, s) =>
    Float32Array.from({ length: vocab }, (_, i) => Math.sin(i * 0.37 + s) * 3),
  );
  const run = (seed: number | undefined) => {
    const sampler = new Sampler({ temperature: 1.1, topK: 50, topP: 0.95, seed }, vocab);
    const history: number[] = [];
    for (const logits of steps) history.push(sampler.sample(logits, history));
    return history;
  };
  assert.deepEqual(run(5), run(5));
  assert.notDeepEqual(run(5), run(6));
  assert.notDeepEqual(run(undefined), run(undefined));
});
