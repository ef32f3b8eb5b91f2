import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  colour: string;
  values: number[];
}

/** A small line chart of daily figures (uPlot: 50 kB, canvas, no dependencies). */
export function TrendChart({
  days,
  series,
  title,
  xLabel,
}: {
  days: string[];
  series: Series[];
  title: string;
  xLabel: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        title,
        width: Math.min(host.current.clientWidth || 560, 560),
        height: 220,
        scales: { x: { time: true } },
        axes: [{ values: (_u, ticks) => ticks.map((s) => new Date(s * 1000).toISOString().slice(5, 10)) }, {}],
        series: [
          { label: xLabel, value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toISOString().slice(0, 10)) },
          ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 2 })),
        ],
      },
      [xs, ...series.map((s) => s.values)],
      host.current,
    );
    // As wide as its frame, up to 560 px: a phone's chart never pushes the page sideways.
    const frame = host.current;
    const fit = new ResizeObserver(() => plot.setSize({ width: Math.min(frame.clientWidth || 560, 560), height: 220 }));
    fit.observe(frame);
    return () => {
      fit.disconnect();
      plot.destroy();
    };
  }, [days.join(), series.map((s) => `${s.label}:${s.values.join()}`).join('|'), title, xLabel]);
  return <div class="trend-chart" ref={host} role="img" aria-label={title} />;
}
