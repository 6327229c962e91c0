import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { CancelQueuedResult, Generation } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { JobCard } from "../components/JobCard";
import { ProblemNotice } from "../components/ProblemNotice";
import { formatCredits } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import { activeJobs } from "../realtime/jobState";
import { useLive, useServices } from "../services";

/** Every queued and running job of the user, live; the hub re-sends them on connect, and the list call covers the moment before. */
export function QueuePage() {
  const { t, locale } = useLocale();
  const { api, live } = useServices();
  const { jobs } = useLive();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [asking, setAsking] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [result, setResult] = useState<CancelQueuedResult | null>(null);

  const queued = useQuery({ queryKey: ["generations", "queued"], queryFn: () => api.generations("queued") });
  const running = useQuery({ queryKey: ["generations", "running"], queryFn: () => api.generations("running") });
  useEffect(() => {
    [...(queued.data?.items ?? []), ...(running.data?.items ?? [])].forEach((job) => live.upsert(job));
  }, [queued.data, running.data, live]);

  const active = activeJobs(jobs.values());
  const waiting = active.filter((job) => job.status === "queued");

  // One call cancels every queued job of this user (never anyone else's) with a full refund;
  // each job's `cancelled` event arrives through the hub. The jobs are also re-read here.
  const cancelAll = async () => {
    setCancelling(true);
    setProblem(null);
    setResult(null);
    try {
      const done = await api.cancelQueued().catch((error: unknown) => {
        // A server without the bulk call (older than this app): cancel the user's queued jobs one by one.
        if (error instanceof ApiError && error.problem.status === 404) {
          return cancelEach(waiting);
        }
        throw error;
      });
      setResult(done);
      await Promise.allSettled(done.ids.map((id) => api.generation(id).then((job) => live.upsert(job))));
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setCancelling(false);
      setAsking(false);
    }
  };

  const cancelEach = async (list: Generation[]): Promise<CancelQueuedResult> => {
    const results = await Promise.allSettled(list.map((job) => api.cancel(job.id)));
    const cancelled = results.flatMap((r, i) => (r.status === "fulfilled" && r.value.status === "cancelled" ? [list[i]] : []));
    return { cancelled: cancelled.length, ids: cancelled.map((job) => job.id), refundedCredits: cancelled.reduce((sum, job) => sum + job.reservedCredits, 0) };
  };

  return (
    <section aria-labelledby="queue-title">
      <div className="page-title-row">
        <h1 id="queue-title">{t("queue.title")}</h1>
        <button type="button" onClick={() => { setResult(null); setAsking(true); }} disabled={cancelling || waiting.length === 0}>
          {t("queue.cancelAll", { count: waiting.length })}
        </button>
      </div>
      <ConfirmDialog open={asking} title={t("queue.cancelAllConfirm", { count: waiting.length })} confirmLabel={t("queue.cancelAllYes")} danger busy={cancelling}
        onConfirm={() => void cancelAll()} onClose={() => setAsking(false)}>
        <p>{t("queue.cancelAllExplain")}</p>
      </ConfirmDialog>
      <p role="status" className="muted">
        {result ? t("queue.cancelledResult", { count: result.cancelled, credits: formatCredits(locale, result.refundedCredits) }) : ""}
      </p>
      <ProblemNotice problem={problem} />
      {active.length === 0 ? <p className="muted">{queued.isLoading ? t("common.loading") : t("queue.empty")}</p> : null}
      <div className="job-list">
        {active.map((job: Generation) => <JobCard key={job.id} job={job} />)}
      </div>
    </section>
  );
}
