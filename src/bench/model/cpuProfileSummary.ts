// Where a prefill's time goes, from a V8 .cpuprofile (node --cpu-prof): the time of samples taken inside
// Transformer.forward, grouped by the kernel wrapper (src/kernels/*) that was running. Native kernel time is
// charged to its JS wrapper (matmul, attention, ...), because the addon functions have no JS frame of their own.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** microseconds since the previous sample */
  timeDeltas: number[];
}

export interface OpShare {
  op: string;
  ms: number;
  /** share of the time inside forward */
  fraction: number;
}

export interface ProfileSummary {
  /** sampled time inside Transformer.forward */
  forwardMs: number;
  ops: OpShare[];
  /** garbage collection anywhere in the run (V8 does not attribute it to a caller) */
  gcMs: number;
}

const isForward = (n: ProfileNode) => n.callFrame.functionName === 'forward' && /\/model\/transformer\.js$/.test(n.callFrame.url);
const isKernel = (n: ProfileNode) => /\/kernels\/[^/]+\.js$/.test(n.callFrame.url);

export function summarizeCpuProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // for every node: the op it belongs to ('' when not under forward), memoised
  const opOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = opOf.get(id);
    if (known !== undefined) return known;
    const chain: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(byId.get(at)!);
    const forwardAt = chain.findIndex(isForward);
    let op = '';
    if (forwardAt >= 0) {
      // the outermost kernel wrapper below forward (a wrapper's own helpers count as the wrapper)
      const kernel = chain.slice(0, forwardAt).reverse().find(isKernel);
      op = kernel ? kernel.callFrame.functionName || '(anonymous kernel)' : 'forward (JS)';
    }
    opOf.set(id, op);
    return op;
  };

  const msByOp = new Map<string, number>();
  let gcMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (byId.get(id)?.callFrame.functionName === '(garbage collector)') gcMs += ms;
    const op = classify(id);
    if (op) msByOp.set(op, (msByOp.get(op) ?? 0) + ms);
  });
  const forwardMs = [...msByOp.values()].reduce((a, b) => a + b, 0);
  const ops = [...msByOp].map(([op, ms]) => ({ op, ms, fraction: forwardMs ? ms / forwardMs : 0 })).sort((a, b) => b.ms - a.ms);
  return { forwardMs, ops, gcMs };
}
