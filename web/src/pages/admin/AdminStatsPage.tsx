import { useQuery } from "@tanstack/react-query";

import { BarChart } from "../../components/BarChart";
import { usePlans } from "../../hooks";
import { formatDateTime, formatDay, formatDuration, formatNumber } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { AdminProblem } from "./AdminProblem";

/** Users by plan, jobs and credits per day (30 days), and the queue per plan now. */
export function AdminStatsPage() {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const plans = usePlans();
  const stats = useQuery({ queryKey: ["admin", "stats"], queryFn: api.admin.stats, refetchInterval: 30_000 });
  const planName = (id: string) => plans.data?.find((p) => p.id === id)?.name ?? id;

  if (stats.error || !stats.data) {
    return (
      <section aria-labelledby="admin-stats-title">
        <h1 id="admin-stats-title">{t("admin.stats")}</h1>
        <AdminProblem error={stats.error} />
        {stats.isLoading ? <p className="muted">{t("common.loading")}</p> : null}
      </section>
    );
  }
  const data = stats.data;
  const mostUsers = Math.max(1, ...data.usersByPlan.map((p) => p.users));
  const day = (d: string) => formatDay(locale, d);
  return (
    <section aria-labelledby="admin-stats-title">
      <h1 id="admin-stats-title">{t("admin.stats")}</h1>
      <p className="hint">{t("admin.generatedAt", { time: formatDateTime(locale, data.generatedAt) })}</p>

      <h2>{t("admin.usersByPlan", { count: data.totalUsers })}</h2>
      <ul className="hbars">
        {data.usersByPlan.map((p) => (
          <li key={p.plan}>
            <span className="hbar-name">{planName(p.plan)}</span>
            <span className="hbar-track" aria-hidden="true"><span className="hbar-fill" style={{ width: `${(100 * p.users) / mostUsers}%` }} /></span>
            <span className="hbar-value">{formatNumber(locale, p.users)}</span>
          </li>
        ))}
      </ul>

      <h2>{t("admin.jobsPerDay")}</h2>
      <BarChart
        bars={data.days.map((d) => ({
          key: d.day, label: day(d.day), values: [d.succeeded, d.failed, Math.max(0, d.jobs - d.succeeded - d.failed)],
          title: t("admin.jobsDay", { day: day(d.day), jobs: d.jobs, succeeded: d.succeeded, failed: d.failed }),
        }))}
        series={[{ className: "bar ok", name: t("status.succeeded") }, { className: "bar bad", name: t("status.failed") }, { className: "bar other", name: t("admin.otherJobs") }]}
        label={t("admin.jobsChartLabel", { days: data.days.length })}
        caption={t("admin.jobsCaption", { count: data.days.reduce((s, d) => s + d.jobs, 0) })}
      />

      <h2>{t("admin.creditsPerDay")}</h2>
      <BarChart
        bars={data.days.map((d) => ({ key: d.day, label: day(d.day), values: [d.creditsCharged], title: `${day(d.day)}: ${formatNumber(locale, d.creditsCharged)}` }))}
        series={[{ className: "bar", name: t("admin.creditsPerDay") }]}
        label={t("admin.creditsChartLabel", { days: data.days.length })}
        caption={t("admin.creditsCaption", { count: data.days.reduce((s, d) => s + d.creditsCharged, 0) })}
      />

      <h2>{t("admin.queueNow")}</h2>
      <div className="table-scroll" tabIndex={0} aria-label={t("admin.queueNow")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("credits.plan")}</th>
              <th scope="col" className="number">{t("status.queued")}</th>
              <th scope="col" className="number">{t("status.running")}</th>
              <th scope="col" className="number">{t("admin.oldestWait")}</th>
            </tr>
          </thead>
          <tbody>
            {data.queue.map((q) => (
              <tr key={q.plan}>
                <th scope="row">{planName(q.plan)}</th>
                <td className="number">{formatNumber(locale, q.queued)}</td>
                <td className="number">{formatNumber(locale, q.running)}</td>
                <td className="number">{q.queued > 0 ? formatDuration(locale, q.oldestWaitSeconds) : t("admin.none")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
