import { lazy, Suspense, useEffect, useMemo, useState, type FormEvent } from "react";

import { ApiError, toProblem, type ApiProblem } from "../api/problem";
import type { Generation } from "../api/types";
import { FieldError } from "../components/FieldError";
import { InitImagePicker } from "../components/InitImagePicker";
import { JobCard } from "../components/JobCard";
import { ModelPicker } from "../components/ModelPicker";
import { ProblemNotice } from "../components/ProblemNotice";
import { SizePicker } from "../components/SizePicker";
import { PresetPicker } from "../components/generate/PresetPicker";
import { TagEditor } from "../components/gallery/TagEditor";
import { useMe, useModels, usePlans } from "../hooks";
import { formatCredits } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import { planHas } from "../logic/addOns";
import { balanceAfter, canSubmit, generateButtonLabel } from "../logic/cost";
import { emptyForm, fromGeneration, maxSeed, randomSeed, schedulers, takeDraft, toRequest, withModel, type GenerateForm } from "../logic/generateForm";
import { useEstimate } from "../logic/useEstimate";
import { useLive, useServices } from "../services";

// LoRA, ControlNet and IP-Adapter panels: a chunk of their own, loaded with the page but after the first paint.
const AddOnPanels = lazy(() => import("../components/generate/AddOnPanels"));

export function GeneratePage() {
  const { t, locale } = useLocale();
  const { api, live } = useServices();
  const me = useMe();
  const models = useModels();
  const plans = usePlans();
  const { jobs } = useLive();
  const [form, setForm] = useState<GenerateForm>(() => takeDraft() ?? emptyForm);
  const [submitProblem, setSubmitProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState<string[]>([]);
  // Closed until the model and its default preset are chosen: those fills would overwrite what was typed before.
  const [ready, setReady] = useState(false);

  const maxSide = me.data?.plan.maxSide ?? 1024;
  const maxBatch = me.data?.plan.maxBatch ?? 1;
  const model = models.data?.find((m) => m.id === form.model);

  // Start on the first model the plan can run now (or keep the one "use again" brought).
  useEffect(() => {
    if (models.data && me.data && (form.model === "" || !models.data.some((m) => m.id === form.model))) {
      const first = models.data.find((m) => m.allowed && m.available) ?? models.data[0];
      if (first) {
        setForm((f) => withModel(f, first, me.data.plan.maxSide));
      }
    }
  }, [models.data, me.data, form.model]);

  // Add-ons the plan lacks (a "use again" after a downgrade) stay out of the request: their panels are locked.
  const lorasAllowed = planHas(plans.data, me.data?.plan.id, "loras") === true;
  const controlAllowed = planHas(plans.data, me.data?.plan.id, "control") === true;
  const request = useMemo(() => {
    if (form.model === "" || form.prompt.trim() === "") {
      return null;
    }
    return toRequest({
      ...form,
      loras: lorasAllowed ? form.loras : [],
      control: controlAllowed ? form.control : [],
      reference: controlAllowed ? form.reference : null,
    });
  }, [form, lorasAllowed, controlAllowed]);
  const estimate = useEstimate(request);
  const estimateProblem = estimate.state === "ready" && estimate.estimate.problem
    ? toProblem(Number(estimate.estimate.problem.status ?? 400), estimate.estimate.problem)
    : null;
  const problem = submitProblem ?? estimateProblem;
  const errors = problem?.errors ?? {};
  const unlimited = me.data?.credits.unlimited ?? false;
  const after = balanceAfter(me.data?.credits.balance ?? null, estimate, unlimited);
  // A model's plan for plan_forbids_model; a feature's own plan for plan_forbids_feature.
  const unlockingPlan = problem?.code === "plan_forbids_feature"
    ? plans.data?.find((p) => p.features.includes(problem.feature ?? ""))?.name
    : model ? plans.data?.find((p) => p.id === model.minPlan)?.name : undefined;

  const update = (change: Partial<GenerateForm>) => {
    setSubmitProblem(null);
    setForm((f) => ({ ...f, ...change }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (request === null) {
      return;
    }
    setBusy(true);
    setSubmitProblem(null);
    try {
      // A retried submit with the same key returns the first job instead of queueing a second.
      const job = await api.submit(request, crypto.randomUUID());
      live.upsert(job);
      // "Use again" counts once: later submits of the edited form are new work.
      setForm((f) => (f.sourceImageId === null ? f : { ...f, sourceImageId: null }));
      setSubmitted((ids) => [job.id, ...ids].slice(0, 6));
      void me.refetch();
    } catch (error) {
      setSubmitProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const useAgain = (job: Generation) => {
    setForm((f) => fromGeneration(f, job));
    window.scrollTo(0, 0);
  };

  const described = (field: string) => (errors[field] ? `${field}-error` : undefined);
  const shownJobs = submitted.map((id) => jobs.get(id)).filter((j): j is Generation => j !== undefined);

  return (
    <div className="generate-layout">
      <section aria-labelledby="generate-title">
        <h1 id="generate-title">{t("generate.title")}</h1>
        <form onSubmit={(e) => void submit(e)} noValidate className="generate-form">
          <fieldset className="form-body" disabled={!ready} aria-busy={!ready}>
            <PresetPicker form={form} models={models.data} maxSide={maxSide} onApply={(next) => { setSubmitProblem(null); setForm(next); }} onDecided={() => setReady(true)} />
            <div className="field">
              <label htmlFor="prompt">{t("param.prompt")}</label>
              <textarea id="prompt" rows={3} maxLength={2000} value={form.prompt} placeholder={t("generate.promptPlaceholder")}
                onChange={(e) => update({ prompt: e.target.value })} aria-invalid={errors.prompt ? true : undefined} aria-describedby={described("prompt")} />
              <FieldError id="prompt-error" messages={errors.prompt} />
            </div>
            <div className="field">
              <label htmlFor="negativePrompt">{t("param.negativePrompt")}</label>
              <textarea id="negativePrompt" rows={2} maxLength={2000} value={form.negativePrompt}
                onChange={(e) => update({ negativePrompt: e.target.value })} aria-describedby={described("negativePrompt")} />
              <FieldError id="negativePrompt-error" messages={errors.negativePrompt} />
            </div>
            <TagEditor id="generate-tags" label={t("gallery.tagsLabel")} tags={form.tags} onChange={(tags) => update({ tags })} />
            <FieldError id="tags-error" messages={errors.tags} />
            {models.data && plans.data ? (
              <ModelPicker models={models.data} plans={plans.data} value={form.model} onChange={(m) => { setSubmitProblem(null); setForm((f) => withModel(f, m, maxSide)); }} />
            ) : <p className="muted">{t("common.loading")}</p>}
            {form.initImage === null ? (
              <SizePicker defaultSide={model?.defaultSide ?? 512} maxSide={maxSide} width={form.width} height={form.height} onChange={(width, height) => update({ width, height })} />
            ) : null}
            <FieldError id="width-error" messages={errors.width ?? errors.height} />
            <div className="field-row">
              <div className="field">
                <label htmlFor="steps">{t("param.steps")}</label>
                <input id="steps" type="number" inputMode="numeric" min={1} max={150} value={form.steps}
                  onChange={(e) => update({ steps: Number(e.target.value) })} aria-describedby={described("steps")} />
                <FieldError id="steps-error" messages={errors.steps} />
              </div>
              <div className="field">
                <label htmlFor="cfgScale">{t("param.cfgScale")}</label>
                <input id="cfgScale" type="number" inputMode="decimal" min={0} max={30} step={0.5} value={form.cfgScale}
                  onChange={(e) => update({ cfgScale: Number(e.target.value) })} aria-describedby={described("cfgScale")} />
                <FieldError id="cfgScale-error" messages={errors.cfgScale} />
              </div>
              <div className="field">
                <label htmlFor="scheduler">{t("param.scheduler")}</label>
                <select id="scheduler" value={form.scheduler} onChange={(e) => update({ scheduler: e.target.value })}>
                  {schedulers.map((s) => <option key={s} value={s}>{s}</option>)}
                </select>
              </div>
            </div>
            <div className="field-row">
              <div className="field">
                <label htmlFor="seed">{t("param.seed")}</label>
                <div className="input-with-button">
                  <input id="seed" type="number" inputMode="numeric" min={0} max={maxSeed} value={form.seed} placeholder={t("generate.seedRandom")}
                    onChange={(e) => update({ seed: e.target.value })} aria-describedby={described("seed")} />
                  <button type="button" onClick={() => update({ seed: randomSeed() })} aria-label={t("generate.rollSeed")} title={t("generate.rollSeed")}>
                    {/* A drawn die: an emoji needs an emoji font, which many machines lack. */}
                    <svg aria-hidden="true" width="18" height="18" viewBox="0 0 18 18" fill="currentColor">
                      <rect x="1.5" y="1.5" width="15" height="15" rx="3" fill="none" stroke="currentColor" strokeWidth="1.5" />
                      <circle cx="5.5" cy="5.5" r="1.4" /><circle cx="9" cy="9" r="1.4" /><circle cx="12.5" cy="12.5" r="1.4" />
                    </svg>
                  </button>
                </div>
                <FieldError id="seed-error" messages={errors.seed} />
              </div>
              <div className="field">
                <label htmlFor="batchSize">{t("param.batchSize")}</label>
                <select id="batchSize" value={form.batchSize} onChange={(e) => update({ batchSize: Number(e.target.value) })}>
                  {Array.from({ length: maxBatch }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{n}</option>)}
                </select>
              </div>
            </div>
            <InitImagePicker image={form.initImage} strength={form.strength}
              onImage={(initImage) => update(initImage ? { initImage, width: initImage.width - (initImage.width % 8), height: initImage.height - (initImage.height % 8) } : { initImage: null })}
              onStrength={(strength) => update({ strength })} />
            <FieldError id="initImageId-error" messages={errors.initImageId ?? errors.strength} />
            <Suspense fallback={null}>
              <AddOnPanels form={form} family={model?.family} plans={plans.data} planId={me.data?.plan.id} onChange={update} />
            </Suspense>
            <ProblemNotice problem={problem} context={{ unlockingPlan }} />
            <div className="submit-row">
              <button type="submit" className="primary generate-button" disabled={busy || request === null || !canSubmit(estimate)} aria-live="polite">
                {generateButtonLabel(locale, estimate, unlimited)}
              </button>
              <p className="hint balance-hint">
                {after !== null ? t("generate.balanceAfter", { balance: formatCredits(locale, after) }) : "\u00a0"}
              </p>
            </div>
          </fieldset>
        </form>
      </section>
      <section aria-labelledby="results-title" className="results">
        <h2 id="results-title">{t("generate.results")}</h2>
        {shownJobs.length === 0 ? <p className="muted">{t("generate.noResults")}</p> : null}
        {shownJobs.map((job) => <JobCard key={job.id} job={job} onUseAgain={useAgain} />)}
      </section>
    </div>
  );
}
