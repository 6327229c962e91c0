import { useMemo, useState, type FormEvent } from "react";

import { ApiError, toProblem, type ApiProblem } from "../api/problem";
import type { Generation, GenerationRequest } from "../api/types";
import { InitImagePicker } from "../components/InitImagePicker";
import { JobCard } from "../components/JobCard";
import { MaskEditor } from "../components/MaskEditor";
import { ModelPicker } from "../components/ModelPicker";
import { ProblemNotice } from "../components/ProblemNotice";
import { useMe, useModels, usePlans } from "../hooks";
import { useLocale } from "../i18n/LocaleContext";
import { canSubmit, generateButtonLabel } from "../logic/cost";
import type { GenerateForm } from "../logic/generateForm";
import { takeCanvasDraft } from "../logic/generateForm";
import { createMask, encodeMaskPng, isEmpty, type Mask, type Tool } from "../logic/mask";
import { useEstimate } from "../logic/useEstimate";
import { Link } from "../router";
import { useLive, useServices } from "../services";

/** Inpainting (Starter and above): paint over an image what should be redrawn, then describe it. */
export function CanvasPage() {
  const { t, locale } = useLocale();
  const { api, live } = useServices();
  const me = useMe();
  const plans = usePlans();
  const models = useModels();
  const { jobs } = useLive();
  // A gallery image handed over from its page ("Inpaint on the canvas"), else one the user picks here.
  const [image, setImage] = useState<GenerateForm["initImage"]>(takeCanvasDraft);
  const [mask, setMask] = useState<Mask | null>(() => (image ? createMask(image.width, image.height) : null));
  const [version, setVersion] = useState(0);
  const [painted, setPainted] = useState(false);
  const [tool, setTool] = useState<Tool>("brush");
  const [radius, setRadius] = useState(24);
  const [prompt, setPrompt] = useState("");
  const [model, setModel] = useState("");
  const [strength, setStrength] = useState(1);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState<string[]>([]);

  const plan = plans.data?.find((p) => p.id === me.data?.plan.id);
  const unlocking = plans.data?.find((p) => p.features.includes("canvas"));
  const chosenModel = model || models.data?.find((m) => m.allowed && m.available)?.id || "";

  // Priced as the img2img it is billed like (steps × strength at the image's size); the mask is uploaded on submit.
  const priceRequest = useMemo<GenerationRequest | null>(
    () => (image && prompt.trim() && chosenModel ? { prompt, model: chosenModel, initImageId: image.id, strength } : null),
    [image, prompt, chosenModel, strength],
  );
  const estimate = useEstimate(priceRequest);
  const estimateProblem = estimate.state === "ready" && estimate.estimate.problem
    ? toProblem(Number(estimate.estimate.problem.status ?? 400), estimate.estimate.problem)
    : null;

  if (plan && !plan.features.includes("canvas")) {
    return (
      <section aria-labelledby="canvas-title">
        <h1 id="canvas-title">{t("canvas.title")}</h1>
        <p className="notice">{t("canvas.locked", { plan: unlocking?.name ?? "Starter" })} <Link to="/pricing">{t("problem.seePlans")}</Link></p>
      </section>
    );
  }

  const pickImage = (next: GenerateForm["initImage"]) => {
    setImage(next);
    setMask(next ? createMask(next.width, next.height) : null);
    setPainted(false);
    setProblem(null);
  };

  const fill = (value: 0 | 255) => {
    if (mask) {
      mask.pixels.fill(value);
      setVersion((v) => v + 1);
      setPainted(value === 255);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!image || !mask || !priceRequest) {
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const uploaded = await api.upload(await encodeMaskPng(mask), "image/png");
      const job = await api.submit({ ...priceRequest, kind: "inpaint", maskImageId: uploaded.id }, crypto.randomUUID());
      live.upsert(job);
      setSubmitted((ids) => [job.id, ...ids].slice(0, 6));
      void me.refetch();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const maskEmpty = mask === null || !painted || isEmpty(mask);
  const shownJobs = submitted.map((id) => jobs.get(id)).filter((j): j is Generation => j !== undefined);
  return (
    <div className="generate-layout">
      <section aria-labelledby="canvas-title">
        <h1 id="canvas-title">{t("canvas.title")}</h1>
        <p className="hint">{t("canvas.lead")}</p>
        <InitImagePicker legend="canvas.image" image={image} strength={strength} onImage={pickImage} onStrength={setStrength} />
        {image && mask ? (
          <>
            <MaskEditor imageUrl={image.previewUrl} mask={mask} tool={tool} radius={radius} version={version} onPainted={() => setPainted(true)} />
            <fieldset className="mask-tools">
              <legend>{t("canvas.tools")}</legend>
              <div className="chips">
                {(["brush", "eraser"] as const).map((name) => (
                  <label key={name} className="chip">
                    <input type="radio" name="tool" checked={tool === name} onChange={() => setTool(name)} />
                    <span>{t(name === "brush" ? "canvas.brush" : "canvas.eraser")}</span>
                  </label>
                ))}
              </div>
              <div className="field">
                <label htmlFor="brush-size">{t("canvas.size")} <output htmlFor="brush-size">{radius}</output></label>
                <input id="brush-size" type="range" min={2} max={128} value={radius} onChange={(e) => setRadius(Number(e.target.value))} />
              </div>
              <div className="actions">
                <button type="button" onClick={() => fill(255)}>{t("canvas.fillAll")}</button>
                <button type="button" onClick={() => fill(0)}>{t("canvas.clear")}</button>
              </div>
            </fieldset>
          </>
        ) : null}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className="field">
            <label htmlFor="canvas-prompt">{t("param.prompt")}</label>
            <textarea id="canvas-prompt" rows={2} maxLength={2000} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
          </div>
          {models.data && plans.data ? (
            <ModelPicker models={models.data} plans={plans.data} value={chosenModel} onChange={(m) => setModel(m.id)} />
          ) : null}
          <ProblemNotice problem={problem ?? estimateProblem} />
          {image && maskEmpty ? <p className="hint">{t("canvas.paintFirst")}</p> : null}
          <button type="submit" className="primary generate-button" disabled={busy || maskEmpty || priceRequest === null || !canSubmit(estimate)}>
            {generateButtonLabel(locale, estimate, me.data?.credits.unlimited ?? false, "canvas.submit")}
          </button>
        </form>
      </section>
      <section aria-labelledby="canvas-results" className="results">
        <h2 id="canvas-results">{t("generate.results")}</h2>
        {shownJobs.length === 0 ? <p className="muted">{t("generate.noResults")}</p> : null}
        {shownJobs.map((job) => <JobCard key={job.id} job={job} />)}
      </section>
    </div>
  );
}
