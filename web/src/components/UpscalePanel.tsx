import { useState } from "react";

import { ApiError, toProblem, type ApiProblem } from "../api/problem";
import type { Estimate, GalleryImage, Generation, GenerationRequest } from "../api/types";
import { useMe, useModels, usePlans } from "../hooks";
import { useLocale } from "../i18n/LocaleContext";
import { generateButtonLabel } from "../logic/cost";
import { Link } from "../router";
import { useLive, useServices } from "../services";
import { JobCard } from "./JobCard";
import { ProblemNotice } from "./ProblemNotice";

const scales = [2, 4] as const;

/**
 * Upscale a gallery image (Starter and above). The API takes only uploads as inputs, so the image
 * is first copied into the user's uploads (it counts in their storage like any upload).
 */
export function UpscalePanel({ image }: { image: GalleryImage }) {
  const { t, locale } = useLocale();
  const { api, live } = useServices();
  const me = useMe();
  const plans = usePlans();
  const models = useModels();
  const { jobs } = useLive();
  const [prepared, setPrepared] = useState<{ uploadId: string; prices: Record<number, Estimate> } | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);

  const plan = plans.data?.find((p) => p.id === me.data?.plan.id);
  if (!plan || !me.data) {
    return null;
  }
  if (!plan.features.includes("upscale")) {
    const unlocking = plans.data?.find((p) => p.features.includes("upscale"))?.name ?? "Starter";
    return <p className="notice">{t("upscale.locked", { plan: unlocking })} <Link to="/pricing">{t("problem.seePlans")}</Link></p>;
  }

  const model = models.data?.find((m) => m.id === image.model && m.allowed && m.available) ?? models.data?.find((m) => m.allowed && m.available);
  const request = (uploadId: string, scale: number): GenerationRequest =>
    ({ kind: "upscale", model: model?.id ?? image.model, prompt: image.prompt, imageId: uploadId, scale });

  const prepare = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const bytes = await fetch(image.url).then((r) => {
        if (!r.ok) {
          throw new ApiError(toProblem(r.status, null));
        }
        return r.blob();
      });
      const upload = await api.upload(bytes, "image/png");
      const prices: Record<number, Estimate> = {};
      for (const scale of scales) {
        prices[scale] = await api.estimate(request(upload.id, scale));
      }
      setPrepared({ uploadId: upload.id, prices });
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const upscale = async (scale: number) => {
    if (!prepared) {
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const job = await api.submit(request(prepared.uploadId, scale), crypto.randomUUID());
      live.upsert(job);
      setJobId(job.id);
      void me.refetch();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const job: Generation | undefined = jobId ? jobs.get(jobId) : undefined;
  return (
    <section className="upscale" aria-labelledby="upscale-title">
      <h2 id="upscale-title">{t("upscale.title")}</h2>
      {prepared === null ? (
        <button type="button" onClick={() => void prepare()} disabled={busy}>{busy ? t("generate.uploading") : t("upscale.prepare")}</button>
      ) : (
        <div className="actions">
          {scales.map((scale) => {
            const price = prepared.prices[scale];
            const tooLarge = Math.max(image.width, image.height) * scale > me.data.plan.maxSide;
            return (
              <button key={scale} type="button" className="primary" disabled={busy || tooLarge || !price.allowed} onClick={() => void upscale(scale)}>
                {t("upscale.scale", { scale })} · {generateButtonLabel(locale, { state: "ready", estimate: price }, me.data.credits.unlimited, "upscale.submit")}
              </button>
            );
          })}
        </div>
      )}
      {prepared ? <p className="hint">{t("upscale.copied")}</p> : <p className="hint">{t("upscale.hint", { side: me.data.plan.maxSide })}</p>}
      <ProblemNotice problem={problem ?? (prepared && !prepared.prices[2].allowed && prepared.prices[2].problem ? toProblem(Number(prepared.prices[2].problem.status ?? 400), prepared.prices[2].problem) : null)} />
      {job ? <JobCard job={job} /> : null}
    </section>
  );
}
