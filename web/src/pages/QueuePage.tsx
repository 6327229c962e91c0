import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { Generation } from "../api/types";
import { JobCard } from "../components/JobCard";
import { ProblemNotice } from "../components/ProblemNotice";
import { useLocale } from "../i18n/LocaleContext";
import { activeJobs } from "../realtime/jobState";
import { useLive, useServices } from "../services";

/** Every queued and running job of the user, live; the hub re-sends them on connect, and the list call covers the moment before. */
export function QueuePage() {
  const { t } = useLocale();
  const { api, live } = useServices();
  const { jobs } = useLive();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [cancelling, setCancelling] = useState(false);

  const queued = useQuery({ queryKey: ["generations", "queued"], queryFn: () => api.generations("queued") });
  const running = useQuery({ queryKey: ["generations", "running"], queryFn: () => api.generations("running") });
  useEffect(() => {
    [...(queued.data?.items ?? []), ...(running.data?.items ?? [])].forEach((job) => live.upsert(job));
  }, [queued.data, running.data, live]);

  const active = activeJobs(jobs.values());
  const waiting = active.filter((job) => job.status === "queued");

  // The API has no bulk cancel: cancel each of this user's own queued jobs (the list is theirs only).
  const cancelAll = async () => {
    setCancelling(true);
    setProblem(null);
    const results = await Promise.allSettled(waiting.map((job) => api.cancel(job.id)));
    results.forEach((result) => {
      if (result.status === "fulfilled") {
        live.upsert(result.value);
      } else if (result.reason instanceof ApiError) {
        setProblem(result.reason.problem);
      }
    });
    setCancelling(false);
  };

  return (
    <section aria-labelledby="queue-title">
      <div className="page-title-row">
        <h1 id="queue-title">{t("queue.title")}</h1>
        <button type="button" onClick={() => void cancelAll()} disabled={cancelling || waiting.length === 0}>
          {t("queue.cancelAll", { count: waiting.length })}
        </button>
      </div>
      <ProblemNotice problem={problem} />
      {active.length === 0 ? <p className="muted">{queued.isLoading ? t("common.loading") : t("queue.empty")}</p> : null}
      <div className="job-list">
        {active.map((job: Generation) => <JobCard key={job.id} job={job} />)}
      </div>
    </section>
  );
}
