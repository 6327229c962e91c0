import type { Generation } from "../api/types";
import { useModels } from "../hooks";
import { formatNumber } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";

/** The parameters a result was made with. */
export function GenerationDetails({ job }: { job: Pick<Generation, "model" | "width" | "height" | "steps" | "cfgScale" | "scheduler" | "seed" | "negativePrompt" | "gpuSeconds" | "engine" | "kind"> }) {
  const { t, locale } = useLocale();
  const models = useModels();
  const rows: [string, string][] = [
    [t("param.model"), models.data?.find((m) => m.id === job.model)?.name ?? job.model],
    [t("param.size"), `${job.width} × ${job.height}`],
  ];
  // An upscale has no diffusion steps, guidance, scheduler or seed: showing them would mislead.
  if (job.kind !== "upscale") {
    rows.push(
      [t("param.steps"), formatNumber(locale, job.steps)],
      [t("param.cfgScale"), formatNumber(locale, job.cfgScale, 1)],
      [t("param.scheduler"), job.scheduler],
      [t("param.seed"), String(job.seed)],
    );
  }
  if (job.negativePrompt) {
    rows.push([t("param.negativePrompt"), job.negativePrompt]);
  }
  if (job.gpuSeconds !== null) {
    rows.push([t("param.gpuSeconds"), formatNumber(locale, job.gpuSeconds, 2)]);
  }
  if (job.engine) {
    rows.push([t("param.engine"), job.engine]);
  }
  return (
    <dl className="details">
      {rows.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
