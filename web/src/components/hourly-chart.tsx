// The last day's email per hour as stacked bars (Chartist draws the SVG): sent, failed and still
// waiting. Screen readers get the same numbers as a table; the picture itself is hidden from them.
import { BarChart } from 'chartist';
import 'chartist/dist/index.css';
import { useEffect, useRef } from 'react';
import type { Summary } from '../api/schema.ts';

type Hour = Summary['hours'][number];

export const SERIES = [
  { key: 'sent', label: 'Sent', className: 'series-sent' },
  { key: 'failed', label: 'Failed', className: 'series-failed' },
  { key: 'waiting', label: 'Waiting', className: 'series-waiting' },
] as const satisfies readonly { key: keyof Hour; label: string; className: string }[];

const hourOf = (start: number) => new Date(start).toLocaleTimeString(undefined, { hour: 'numeric' });

export function HourlyChart({ hours, title }: { hours: readonly Hour[]; title: string }) {
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!target.current) return;
    const chart = new BarChart(target.current, {
      // Every third hour is labelled, every sixth on a phone, so the labels never overlap.
      labels: hours.map((h, i) => (i % (target.current!.clientWidth < 480 ? 6 : 3) === 0 ? hourOf(h.start) : '')),
      series: SERIES.map((s) => ({ name: s.key, className: s.className, data: hours.map((h) => h[s.key]) })),
    }, {
      stackBars: true, height: '220px', chartPadding: { top: 10, right: 10, bottom: 0, left: 0 },
      axisY: { onlyInteger: true }, axisX: { showGrid: false },
    });
    return () => { chart.detach(); };
  }, [hours]);
  const busy = hours.filter((h) => h.sent + h.failed + h.waiting > 0);
  return (
    <figure className="chart" data-testid="hourly-chart">
      <div ref={target} className="chart-canvas" aria-hidden="true" />
      <figcaption className="chart-legend">
        {SERIES.map((s) => (
          <span key={s.key} className={`legend-${s.key}`}><span className={`swatch ${s.className}`} /> {s.label}</span>
        ))}
        <span className="muted">per hour the email was handed in</span>
      </figcaption>
      {/* In a hidden box: a table does not shrink to the 1 px of .sr-only itself. */}
      <div className="sr-only"><table>
        <caption>{title}</caption>
        <thead><tr><th scope="col">Hour</th>{SERIES.map((s) => <th key={s.key} scope="col">{s.label}</th>)}</tr></thead>
        <tbody>
          {busy.map((h) => <tr key={h.start}><th scope="row">{hourOf(h.start)}</th>{SERIES.map((s) => <td key={s.key}>{h[s.key]}</td>)}</tr>)}
        </tbody>
      </table></div>
    </figure>
  );
}
