import { useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { Generation } from "../api/types";
import { formatCredits, formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import { isFinal } from "../realtime/jobState";
import { Link } from "../router";
import { useServices } from "../services";
import { GenerationDetails } from "./GenerationDetails";
import { ProblemNotice } from "./ProblemNotice";
import { ProgressBar } from "./ProgressBar";

/** One job: its place in the queue, live progress and preview, then the result. */
export function JobCard({ job, onUseAgain }: { job: Generation; onUseAgain?: (job: Generation) => void }) {
  const { t, locale } = useLocale();
  const { api, live } = useServices();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [cancelling, setCancelling] = useState(false);

  const cancel = async () => {
    setCancelling(true);
    setProblem(null);
    try {
      live.upsert(await api.cancel(job.id));
    } catch (error) {
      if (error instanceof ApiError) {
        setProblem(error.problem);
      }
    } finally {
      setCancelling(false);
    }
  };

  const image = job.images[0];
  const picture = image ? image.thumbnail512Url : job.preview ?? null;
  return (
    <article className="job-card" aria-labelledby={`job-${job.id}`} data-testid="job-card" data-status={job.status}>
      {/* The frame keeps the job's aspect ratio before any picture arrives: no jump when it does. */}
      <div className="job-picture" style={{ aspectRatio: `${job.width} / ${job.height}` }}>
        {picture ? <img src={picture} alt={image ? t("job.resultAlt", { prompt: job.prompt }) : t("job.previewAlt")} /> : null}
      </div>
      <div className="job-body">
        <h3 id={`job-${job.id}`} className="job-prompt">{job.prompt || t("job.noPrompt")}</h3>
        <p className={`status status-${job.status}`}>
          {t(`status.${job.status}`)}
          {job.status === "queued" && job.queuePosition !== null ? ` · ${t("job.position", { position: formatNumber(locale, job.queuePosition) })}` : null}
        </p>
        {job.status === "running" || job.status === "queued" ? <ProgressBar {...job.progress} /> : null}
        {job.status === "failed" && job.error ? <p className="notice error">{t("job.failed", { code: job.error.code })}</p> : null}
        {job.status === "succeeded" && job.creditsCharged !== null ? (
          <p className="muted">{t("job.charged", { cost: formatCredits(locale, job.creditsCharged) })}</p>
        ) : null}
        {isFinal(job.status) && job.images.length > 0 ? (
          <ul className="thumb-row">
            {job.images.map((img, index) => (
              <li key={img.id}>
                <Link to={`/gallery/${img.id}`}>
                  <img src={img.thumbnailUrl} alt={t("job.imageAlt", { index: index + 1 })} width={96} height={Math.round((96 * img.height) / img.width)} loading="lazy" />
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
        {job.status === "succeeded" ? <GenerationDetails job={job} /> : null}
        <ProblemNotice problem={problem} />
        <div className="actions">
          {!isFinal(job.status) ? (
            <button type="button" onClick={() => void cancel()} disabled={cancelling}>{t("job.cancel")}</button>
          ) : null}
          {isFinal(job.status) && onUseAgain ? (
            <button type="button" onClick={() => onUseAgain(job)}>{t("job.useAgain")}</button>
          ) : null}
        </div>
      </div>
    </article>
  );
}
