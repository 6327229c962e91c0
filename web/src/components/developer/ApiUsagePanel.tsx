import type { ApiKey, ApiUsage } from "../../api/types";
import { formatDay, formatNumber } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { usageDays } from "../../logic/developer";
import { BarChart } from "../BarChart";

const chartDays = 30;
/** Colours for the busiest keys; the rest share "other". */
const keyClasses = ["bar", "bar k1", "bar k2", "bar k3", "bar k4"];

/** This month's API calls against the plan's limit, and the last 30 days' calls stacked per key. */
export function ApiUsagePanel({ usage, keys }: { usage: ApiUsage; keys: ApiKey[] }) {
  const { t, locale } = useLocale();
  const { period } = usage;
  const totals = new Map<string, number>();
  for (const row of usage.days) {
    totals.set(row.keyId, (totals.get(row.keyId) ?? 0) + row.calls);
  }
  const busiest = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, keyClasses.length).map(([id]) => id);
  const days = usageDays(usage, busiest, chartDays);
  const name = (id: string) => keys.find((k) => k.id === id)?.name ?? t("developer.deletedKey");
  const series = [...busiest.map((id, i) => ({ className: keyClasses[i], name: name(id) })), { className: "bar other", name: t("developer.otherKeys") }];
  const max = Math.max(0, ...days.map((d) => d.total));
  // The period is the calendar month in UTC: the reset is a day, not a local time.
  const resets = formatDay(locale, period.resetAt.slice(0, 10));
  return (
    <section className="panel api-usage" aria-labelledby="api-usage-title" data-testid="api-usage">
      <h2 id="api-usage-title">{t("developer.usageTitle")}</h2>
      <p data-testid="api-usage-summary">
        {period.limit === null
          ? t("developer.usedUnlimited", { used: formatNumber(locale, period.used) })
          : t("developer.usedOf", { used: formatNumber(locale, period.used), limit: formatNumber(locale, period.limit), date: resets })}
      </p>
      {period.limit !== null ? (
        <div className="api-meter" role="meter" aria-valuemin={0} aria-valuemax={period.limit} aria-valuenow={period.used} aria-label={t("developer.usageTitle")}>
          <span className="api-meter-fill" style={{ width: `${Math.min(100, (100 * period.used) / Math.max(1, period.limit))}%` }} />
        </div>
      ) : null}
      <BarChart
        bars={days.map((d) => ({
          key: d.day,
          label: formatDay(locale, d.day),
          values: series.map((_, i) => (i < busiest.length ? d.perKey[i] : d.perKey[d.perKey.length - 1])),
          title: `${formatDay(locale, d.day)}: ${formatNumber(locale, d.total)}`,
        }))}
        series={series.filter((_, i) => i < busiest.length || days.some((d) => d.perKey[d.perKey.length - 1] > 0))}
        label={t("developer.chartLabel", { days: chartDays })}
        caption={t("developer.chartCaption", { max: formatNumber(locale, max) })}
      />
    </section>
  );
}
