import { useQuery } from "@tanstack/react-query";

import { formatAgo, formatNumber } from "../../i18n/format";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { AdminProblem } from "./AdminProblem";

const states = ["idle", "busy", "unhealthy", "stopping"];

/** The worker registry, refreshed every few seconds. */
export function AdminWorkersPage() {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const workers = useQuery({ queryKey: ["admin", "workers"], queryFn: api.admin.workers, refetchInterval: 3000, staleTime: 0 });
  const items = workers.data?.items ?? [];
  const stateName = (state: string) => (states.includes(state) ? t(`workerState.${state}` as MessageKey) : state);

  return (
    <section aria-labelledby="admin-workers-title">
      <h1 id="admin-workers-title">{t("admin.workers")}</h1>
      <p className="hint">{t("admin.workersLead")}</p>
      <AdminProblem error={workers.error} />
      {workers.isLoading ? <p className="muted">{t("common.loading")}</p> : null}
      {workers.isSuccess && items.length === 0 ? <p className="muted">{t("admin.noWorkers")}</p> : null}
      {items.length > 0 ? (
        <div className="table-scroll" tabIndex={0} aria-label={t("admin.workers")}>
        <table className="responsive-table compact">
          <thead>
            <tr>
              <th scope="col">{t("admin.workerId")}</th>
              <th scope="col">{t("admin.gpuClass")}</th>
              <th scope="col">{t("param.engine")}</th>
              <th scope="col">{t("admin.state")}</th>
              <th scope="col">{t("admin.models")}</th>
              <th scope="col">{t("admin.loadedModel")}</th>
              <th scope="col">{t("admin.currentJob")}</th>
              <th scope="col" className="number">{t("admin.jobsDone")}</th>
              <th scope="col">{t("admin.utilisation")}</th>
              <th scope="col">{t("admin.heartbeat")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((w) => {
              const percent = Math.round(Math.min(1, Math.max(0, w.utilisation)) * 100);
              return (
                <tr key={w.id}>
                  <td data-label={t("admin.workerId")} className="break-anywhere">{w.id}</td>
                  <td data-label={t("admin.gpuClass")}>{w.gpuClass}</td>
                  <td data-label={t("param.engine")}>{w.engine}</td>
                  <td data-label={t("admin.state")}><span className={`badge state-${w.state}`}>{stateName(w.state)}</span></td>
                  <td data-label={t("admin.models")} className="wrap">{w.models.join(", ") || t("admin.none")}</td>
                  <td data-label={t("admin.loadedModel")}>{w.loadedModel ?? t("admin.none")}</td>
                  <td data-label={t("admin.currentJob")} className="break-anywhere">{w.currentJobId ?? t("admin.none")}</td>
                  <td data-label={t("admin.jobsDone")} className="number">{formatNumber(locale, w.jobsDone)}</td>
                  <td data-label={t("admin.utilisation")}>
                    <span className="meter">
                      <span className="meter-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={t("admin.utilisation")}>
                        <span className="meter-fill" style={{ width: `${percent}%` }} />
                      </span>
                      <span className="meter-label">{formatNumber(locale, percent)}%</span>
                    </span>
                  </td>
                  <td data-label={t("admin.heartbeat")}>{formatAgo(locale, w.heartbeatAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      ) : null}
    </section>
  );
}
