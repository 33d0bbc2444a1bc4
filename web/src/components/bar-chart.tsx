/** A plain SVG bar chart with each bar's number beside it (and all of them in its accessible name). */
export interface Bar {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

export function BarChart({ bars, title }: { bars: readonly Bar[]; title: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = 360;
  const rowHeight = 38;
  const labelWidth = 80;
  const height = bars.length * rowHeight;
  const description = bars.map((b) => `${b.label}: ${b.value}`).join(', ');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}. ${description}`} width="100%">
        {bars.map((b, i) => {
          const barWidth = b.value === 0 ? 0 : Math.max(4, ((width - labelWidth - 50) * b.value) / max);
          const y = i * rowHeight;
          return (
            <g key={b.key} data-count={b.key} data-value={b.value}>
              <text x={0} y={y + 24} className="chart-label">{b.label}</text>
              <rect x={labelWidth} y={y + 8} width={barWidth} height={22} rx={3} fill={b.color} />
              <text x={labelWidth + barWidth + 8} y={y + 24} className="chart-value">{b.value}</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
