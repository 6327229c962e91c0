import { useEffect, useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { DataExport } from "../../api/types";
import { formatBytes, formatDateTime, formatNumber } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { ProblemNotice } from "../ProblemNotice";

const pollMs = 1000;

/** "Download your data": request a ZIP export, watch its progress, then its download link until it expires. */
export function ExportSection() {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const [latest, setLatest] = useState<DataExport | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  useEffect(() => {
    let live = true;
    api.dataExports().then((list) => live && setLatest(list.items[0] ?? null), () => undefined);
    return () => {
      live = false;
    };
  }, [api]);

  // While it is being built, poll its progress.
  const building = latest !== null && (latest.status === "queued" || latest.status === "running");
  useEffect(() => {
    if (!building || latest === null) {
      return;
    }
    const timer = setTimeout(() => {
      api.dataExport(latest.id).then(setLatest, (error: unknown) => setProblem(error instanceof ApiError ? error.problem : null));
    }, pollMs);
    return () => clearTimeout(timer);
  }, [api, building, latest]);

  const request = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setLatest(await api.requestExport());
    } catch (error) {
      const found = error instanceof ApiError ? error.problem : null;
      if (found?.code === "export_in_progress") {
        // One is already being built: show that one.
        const list = await api.dataExports();
        setLatest(list.items[0] ?? null);
      } else {
        setProblem(found);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">{t("yourData.exportTitle")}</h2>
      <p className="hint">{t("yourData.exportLead")}</p>
      <ProblemNotice problem={problem} />
      {building ? (
        <div className="progress" data-testid="export-progress">
          <div className="progress-track" role="progressbar" aria-label={t("yourData.exportBuilding")} aria-valuemin={0} aria-valuemax={100} aria-valuenow={latest.progress}>
            <div className="progress-fill" style={{ width: `${Math.min(100, Math.max(0, latest.progress))}%` }} />
          </div>
          <span className="progress-label">{t("yourData.exportBuilding")} · {formatNumber(locale, latest.progress)}%</span>
        </div>
      ) : null}
      {latest?.status === "ready" && latest.downloadUrl !== null ? (
        <p className="export-ready">
          <a href={latest.downloadUrl} download className="button primary" data-testid="export-download">{t("yourData.exportDownload")}</a>{" "}
          <span className="muted">
            {formatBytes(locale, latest.bytes)}
            {latest.expiresAt !== null ? ` · ${t("yourData.exportUntil", { date: formatDateTime(locale, latest.expiresAt) })}` : ""}
          </span>
        </p>
      ) : null}
      {latest?.status === "failed" ? <p className="notice error" role="alert">{t("yourData.exportFailed")}</p> : null}
      {latest?.status === "expired" ? <p className="muted">{t("yourData.exportExpired")}</p> : null}
      <div className="actions">
        <button type="button" disabled={busy || building} onClick={() => void request()}>
          {latest?.status === "ready" ? t("yourData.exportAgain") : t("yourData.exportRequest")}
        </button>
      </div>
    </section>
  );
}
