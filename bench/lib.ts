/** Shared measuring helpers: percentiles over repeated runs, printed as one table row each. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function timeEach(n: number, fn: (i: number) => Promise<unknown> | unknown) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

export function row(name: string, samples: number[], extra = '') {
  const total = samples.reduce((s, x) => s + x, 0);
  const fmt = (x: number) => x.toFixed(3).padStart(8);
  console.log(
    `${name.padEnd(44)} n=${String(samples.length).padStart(6)}  p50=${fmt(percentile(samples, 50))} ms  p95=${fmt(percentile(samples, 95))} ms  ${(samples.length / (total / 1000)).toFixed(0).padStart(7)}/s ${extra}`,
  );
}
