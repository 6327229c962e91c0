import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, toProblem, type ApiProblem } from "../api/problem";
import type { GalleryImage, Generation, GenerationRequest } from "../api/types";
import { useMe, useModels, usePlans } from "../hooks";
import { useLocale } from "../i18n/LocaleContext";
import { generateButtonLabel } from "../logic/cost";
import { Link } from "../router";
import { useLive, useServices } from "../services";
import { JobCard } from "./JobCard";
import { ProblemNotice } from "./ProblemNotice";

const scales = [2, 4] as const;

/** Upscale a gallery image (Starter and above): the job names the gallery image itself (`imageId`). */
export function UpscalePanel({ image }: { image: GalleryImage }) {
  const { t, locale } = useLocale();
  const { api, live } = useServices();
  const me = useMe();
  const plans = usePlans();
  const models = useModels();
  const { jobs } = useLive();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);

  const plan = plans.data?.find((p) => p.id === me.data?.plan.id);
  const allowed = plan?.features.includes("upscale") ?? false;
  const model = models.data?.find((m) => m.id === image.model && m.allowed && m.available) ?? models.data?.find((m) => m.allowed && m.available);
  const request = (scale: number): GenerationRequest =>
    ({ kind: "upscale", model: model?.id ?? image.model, prompt: image.prompt, imageId: image.id, scale });
  const prices = useQuery({
    queryKey: ["upscale-price", image.id, model?.id ?? image.model],
    queryFn: () => Promise.all(scales.map((scale) => api.estimate(request(scale)))),
    enabled: allowed && models.data !== undefined,
    staleTime: 10_000,
  });

  if (!plan || !me.data) {
    return null;
  }
  if (!allowed) {
    const unlocking = plans.data?.find((p) => p.features.includes("upscale"))?.name ?? "Starter";
    return <p className="notice">{t("upscale.locked", { plan: unlocking })} <Link to="/pricing">{t("problem.seePlans")}</Link></p>;
  }

  const upscale = async (scale: number) => {
    setBusy(true);
    setProblem(null);
    try {
      const job = await api.submit(request(scale), crypto.randomUUID());
      live.upsert(job);
      setJobId(job.id);
      void me.refetch();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const first = prices.data?.[0];
  const refused = first && !first.allowed && first.problem ? toProblem(Number(first.problem.status ?? 400), first.problem) : null;
  const job: Generation | undefined = jobId ? jobs.get(jobId) : undefined;
  return (
    <section className="upscale" aria-labelledby="upscale-title">
      <h2 id="upscale-title">{t("upscale.title")}</h2>
      <div className="actions">
        {scales.map((scale, i) => {
          const price = prices.data?.[i];
          const tooLarge = Math.max(image.width, image.height) * scale > me.data.plan.maxSide;
          const estimate = price ? { state: "ready" as const, estimate: price } : { state: "loading" as const, previous: null };
          return (
            <button key={scale} type="button" className="primary" disabled={busy || tooLarge || !price?.allowed} onClick={() => void upscale(scale)}>
              {t("upscale.scale", { scale })} · {generateButtonLabel(locale, estimate, me.data.credits.unlimited, "upscale.submit")}
            </button>
          );
        })}
      </div>
      <p className="hint">{t("upscale.hint", { side: me.data.plan.maxSide })}</p>
      <ProblemNotice problem={problem ?? refused ?? (prices.error instanceof ApiError ? prices.error.problem : null)} />
      {job ? <JobCard job={job} /> : null}
    </section>
  );
}
