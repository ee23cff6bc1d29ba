// A one-line progress bar on stderr (redrawn in place on a terminal, every 10 % otherwise).
export function progressBar(stream: NodeJS.WriteStream = process.stderr): (done: number, total: number, label: string) => void {
  const start = Date.now();
  let lastDecile = -1;
  return (done, total, label) => {
    const fraction = total ? done / total : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const elapsed = (Date.now() - start) / 1000;
    const eta = done ? (elapsed / done) * (total - done) : 0;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label} ` +
      `${elapsed.toFixed(0)}s elapsed, ~${eta.toFixed(0)}s left`;
    if (stream.isTTY) {
      stream.write(`\r${line}\x1b[K${done === total ? '\n' : ''}`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== lastDecile || done === total) stream.write(line + '\n');
      lastDecile = decile;
    }
  };
}
