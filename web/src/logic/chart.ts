// Axis labels for the bar charts: counted back from the newest bar so the last day always has
// one and no two labels crowd each other; every other one is "minor" and hidden on a phone.

export interface Tick {
  index: number;
  /** Hidden on narrow screens (only every other label fits there). */
  minor: boolean;
  /** Where the label's text hangs from its bar, so the first and last stay inside the chart. */
  anchor: "start" | "middle" | "end";
}

export function chartTicks(count: number, every: number): Tick[] {
  const ticks: Tick[] = [];
  for (let index = count - 1, n = 0; index >= 0; index -= every, n++) {
    ticks.push({ index, minor: n % 2 === 1, anchor: index >= count - 2 ? "end" : index <= 1 ? "start" : "middle" });
  }
  return ticks.reverse();
}

/** The top of the value axis: the largest stacked bar, at least 1 (an empty chart still draws). */
export function chartMax(bars: readonly { values: readonly number[] }[]): number {
  return Math.max(1, ...bars.map((bar) => bar.values.reduce((sum, v) => sum + Math.max(0, v), 0)));
}
