import { useMemo, useState, type FormEvent } from "react";

import { ApiError, toProblem, type ApiProblem } from "../../api/problem";
import type { ExposedField, Generation, GenerationRequest, ImageRef, WorkflowInputValue } from "../../api/types";
import { useMe, usePlans } from "../../hooks";
import { formatCredits } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { balanceAfter, canSubmit, generateButtonLabel } from "../../logic/cost";
import { useEstimate } from "../../logic/useEstimate";
import { initialInputs, toInputs } from "../../logic/workflowFile";
import { useLive, useServices } from "../../services";
import { JobCard } from "../JobCard";
import { ProblemNotice } from "../ProblemNotice";
import { WorkflowInputs } from "./WorkflowInputs";

export type WorkflowSource = { workflowId: string } | { workflow: unknown } | { graph: unknown };

/** The exposed fields as a form, the price of a run, Generate and the live jobs it started. */
export function WorkflowRunner({ source, fields, onUseAsThumbnail }: {
  source: WorkflowSource;
  fields: ExposedField[];
  /** Own saved workflows: a result can become the card's picture. */
  onUseAsThumbnail?: (image: ImageRef) => Promise<void>;
}) {
  const { t, locale } = useLocale();
  const { api, live } = useServices();
  const me = useMe();
  const plans = usePlans();
  const { jobs } = useLive();
  const [values, setValues] = useState<Record<string, WorkflowInputValue>>(() => initialInputs(fields));
  const [submitProblem, setSubmitProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState<string[]>([]);

  const request = useMemo<GenerationRequest>(() => ({ kind: "workflow", ...source, inputs: toInputs(values) }), [source, values]);
  const estimate = useEstimate(request);
  const estimateProblem = estimate.state === "ready" && estimate.estimate.problem
    ? toProblem(Number(estimate.estimate.problem.status ?? 400), estimate.estimate.problem)
    : null;
  const problem = submitProblem ?? estimateProblem;
  const unlimited = me.data?.credits.unlimited ?? false;
  const after = balanceAfter(me.data?.credits.balance ?? null, estimate, unlimited);
  const unlockingPlan = problem?.feature ? plans.data?.find((p) => p.features.includes(problem.feature ?? ""))?.name : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setSubmitProblem(null);
    try {
      const job = await api.submit(request, crypto.randomUUID());
      live.upsert(job);
      setSubmitted((ids) => [job.id, ...ids].slice(0, 6));
      void me.refetch();
    } catch (error) {
      setSubmitProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const shownJobs = submitted.map((id) => jobs.get(id)).filter((j): j is Generation => j !== undefined);
  return (
    <div className="workflow-runner">
      <form onSubmit={(e) => void submit(e)} noValidate className="generate-form">
        <WorkflowInputs fields={fields} values={values} errors={problem?.errors} onChange={(next) => { setSubmitProblem(null); setValues(next); }} />
        <ProblemNotice problem={problem} context={{ unlockingPlan }} />
        <div className="submit-row">
          <button type="submit" className="primary generate-button" disabled={busy || !canSubmit(estimate)} aria-live="polite">
            {generateButtonLabel(locale, estimate, unlimited)}
          </button>
          <p className="hint balance-hint">{after !== null ? t("generate.balanceAfter", { balance: formatCredits(locale, after) }) : "\u00a0"}</p>
        </div>
      </form>
      <section aria-label={t("generate.results")} className="results">
        {shownJobs.map((job) => (
          <div key={job.id}>
            <JobCard job={job} />
            {onUseAsThumbnail && job.status === "succeeded" ? job.images.map((image) => (
              <ThumbnailButton key={image.id} image={image} onUse={onUseAsThumbnail} />
            )) : null}
          </div>
        ))}
      </section>
    </div>
  );
}

function ThumbnailButton({ image, onUse }: { image: ImageRef; onUse: (image: ImageRef) => Promise<void> }) {
  const { t } = useLocale();
  const [state, setState] = useState<"idle" | "busy" | "done">("idle");
  return (
    <button type="button" disabled={state !== "idle"} onClick={() => { setState("busy"); void onUse(image).then(() => setState("done"), () => setState("idle")); }}>
      {state === "done" ? t("workflows.thumbnailSet") : t("workflows.useAsThumbnail")}
    </button>
  );
}
