import { formatDay, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import type { DayUsage } from "../logic/usage";
import { BarChart } from "./BarChart";

/** Credits used per day; the ledger table below carries the same numbers for screen readers. */
export function UsageChart({ days }: { days: DayUsage[] }) {
  const { t, locale } = useLocale();
  const max = Math.max(1, ...days.map((d) => d.credits));
  return (
    <BarChart
      bars={days.map((d) => ({ key: d.day, label: formatDay(locale, d.day), values: [d.credits], title: `${formatDay(locale, d.day)}: ${formatNumber(locale, d.credits)}` }))}
      series={[{ className: "bar", name: t("credits.usageTitle") }]}
      label={t("credits.chartLabel", { days: days.length })}
      caption={t("credits.chartCaption", { max: formatNumber(locale, max) })}
    />
  );
}
