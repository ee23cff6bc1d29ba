// Progress on stderr: a redrawn bar on a terminal, else a plain line at every tenth.

export interface Progress {
  tick(done: number): void;
  finish(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (total <= 0) return { tick() {}, finish() {} };
  if (stream.isTTY) {
    const width = 30;
    let drawn = -1;
    return {
      tick(done) {
        const filled = Math.round((done / total) * width);
        if (filled === drawn && done !== total) return;
        drawn = filled;
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      },
      finish() {
        stream.write('\n');
      },
    };
  }
  let tenth = 0;
  return {
    tick(done) {
      const reached = Math.floor((done * 10) / total);
      if (reached <= tenth) return;
      tenth = reached;
      stream.write(`${label}: ${done}/${total} (${reached * 10}%)\n`);
    },
    finish() {},
  };
}
