import { formatDay, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import type { DayUsage } from "../logic/usage";

const width = 600;
const height = 160;
const bottom = 20;

/** Credits used per day as plain SVG bars; the table below it carries the same numbers for screen readers. */
export function UsageChart({ days }: { days: DayUsage[] }) {
  const { t, locale } = useLocale();
  const max = Math.max(1, ...days.map((d) => d.credits));
  const slot = width / days.length;
  return (
    <figure className="usage-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t("credits.chartLabel", { days: days.length })} preserveAspectRatio="none">
        <line x1={0} y1={height - bottom} x2={width} y2={height - bottom} className="axis" />
        {days.map((d, i) => {
          const barHeight = ((height - bottom - 10) * d.credits) / max;
          return (
            <g key={d.day}>
              <rect x={i * slot + slot * 0.15} y={height - bottom - barHeight} width={slot * 0.7} height={barHeight} className="bar">
                <title>{`${formatDay(locale, d.day)}: ${formatNumber(locale, d.credits)}`}</title>
              </rect>
              {i % 7 === 0 || i === days.length - 1 ? (
                <text x={i * slot + slot / 2} y={height - 4} textAnchor="middle" className="tick">{formatDay(locale, d.day)}</text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>{t("credits.chartCaption", { max: formatNumber(locale, max) })}</figcaption>
    </figure>
  );
}
