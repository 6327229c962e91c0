import type { CSSProperties } from "react";

import { chartMax, chartTicks } from "../logic/chart";

export interface Bar {
  key: string;
  /** The axis label (shown for some bars only). */
  label: string;
  /** One value per series, stacked bottom up. */
  values: number[];
  /** The tooltip: the bar's numbers in words. */
  title: string;
}

const plotHeight = 100;

/**
 * Vertical bars in plain SVG. The SVG stretches to the width (bars only); the labels are HTML
 * under it, so text is never stretched, and every other label hides on a phone.
 */
export function BarChart({ bars, series, label, caption, tickEvery = 7 }: {
  bars: Bar[];
  /** Class and name of each series (a legend is shown for more than one). */
  series: { className: string; name: string }[];
  label: string;
  caption: string;
  tickEvery?: number;
}) {
  const max = chartMax(bars);
  const slot = 10;
  const width = Math.max(1, bars.length) * slot;
  return (
    <figure className="bar-chart">
      <svg viewBox={`0 0 ${width} ${plotHeight}`} preserveAspectRatio="none" role="img" aria-label={label}>
        <line x1={0} y1={plotHeight} x2={width} y2={plotHeight} className="axis" vectorEffect="non-scaling-stroke" />
        {bars.map((bar, i) => {
          let y = plotHeight;
          return (
            <g key={bar.key}>
              <title>{bar.title}</title>
              {bar.values.map((value, s) => {
                const h = ((plotHeight - 4) * Math.max(0, value)) / max;
                y -= h;
                return h > 0 ? <rect key={s} x={i * slot + 1.5} y={y} width={slot - 3} height={h} className={series[s]?.className ?? "bar"} /> : null;
              })}
            </g>
          );
        })}
      </svg>
      <div className="chart-ticks" aria-hidden="true">
        {chartTicks(bars.length, tickEvery).map((tick) => {
          const position = ((tick.index + 0.5) / bars.length) * 100;
          const style: CSSProperties = tick.anchor === "end" ? { right: 0 } : tick.anchor === "start" ? { left: 0 } : { left: `${position}%`, transform: "translateX(-50%)" };
          return <span key={tick.index} className={tick.minor ? "tick minor" : "tick"} style={style}>{bars[tick.index].label}</span>;
        })}
      </div>
      {series.length > 1 ? (
        <ul className="chart-legend">
          {series.map((s) => <li key={s.className}><span className={`swatch ${s.className}`} aria-hidden="true" />{s.name}</li>)}
        </ul>
      ) : null}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
