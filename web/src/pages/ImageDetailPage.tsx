import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import { ImageOrganizer } from "../components/gallery/ImageOrganizer";
import { ProblemNotice } from "../components/ProblemNotice";
import { ShareDialog } from "../components/sharing/ShareDialog";
import { UpscalePanel } from "../components/UpscalePanel";
import { useMe, useModels, usePlans } from "../hooks";
import { formatBytes, formatDateTime } from "../i18n/format";
import type { MessageKey } from "../i18n/i18n";
import { useLocale } from "../i18n/LocaleContext";
import { emptyForm, fromImage, galleryInput, setCanvasDraft, setDraft } from "../logic/generateForm";
import { parameterValue } from "../logic/parameterValue";
import { Link, navigate } from "../router";
import { useServices } from "../services";

const shownParameters = ["model", "kind", "width", "height", "steps", "cfgScale", "scheduler", "seed", "negativePrompt", "engine", "batchIndex", "batchSize"];

export function ImageDetailPage({ id }: { id: string }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const image = useQuery({ queryKey: ["image", id], queryFn: () => api.image(id) });
  const [sharing, setSharing] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const me = useMe();
  const plans = usePlans();
  const models = useModels();
  const modelName = (modelId: string) => models.data?.find((m) => m.id === modelId)?.name;
  const canvas = plans.data?.find((p) => p.id === me.data?.plan.id)?.features.includes("canvas") ?? false;

  const remove = async () => {
    setProblem(null);
    try {
      // To the trash (restorable for 30 days): no confirmation needed.
      await api.deleteImage(id);
      await queries.invalidateQueries({ queryKey: ["images"] });
      await queries.invalidateQueries({ queryKey: ["folders"] });
      await queries.invalidateQueries({ queryKey: ["storage"] });
      navigate("/gallery", true);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    }
  };

  if (image.error) {
    return <section><ProblemNotice problem={image.error instanceof ApiError ? image.error.problem : null} /><Link to="/gallery">{t("gallery.back")}</Link></section>;
  }
  if (!image.data) {
    return <p className="muted">{t("common.loading")}</p>;
  }
  const data = image.data;
  const label = (key: string) => (shownParameters.includes(key) ? t(`param.${key}` as MessageKey) : key);
  return (
    <section className="image-detail" aria-labelledby="image-title">
      <p><Link to="/gallery">{t("gallery.back")}</Link></p>
      <h1 id="image-title" className="image-prompt">{data.prompt || t("gallery.imageAlt")}</h1>
      <div className="image-frame" style={{ aspectRatio: `${data.width} / ${data.height}`, maxWidth: `min(100%, ${data.width}px)` }}>
        <img src={data.url} alt={data.prompt || t("gallery.imageAlt")} width={data.width} height={data.height} />
      </div>
      <div className="actions">
        <a className="button" href={data.url} download={`pingvas-${data.id}.png`}>{t("gallery.download")}</a>
        <button type="button" onClick={() => { setDraft(fromImage(emptyForm, data)); navigate("/generate"); }}>{t("job.useAgain")}</button>
        <button type="button" onClick={() => { setDraft({ ...fromImage(emptyForm, data), seed: "", initImage: galleryInput(data), sourceImageId: null }); navigate("/generate"); }}>{t("gallery.startFrom")}</button>
        {canvas ? (
          <button type="button" onClick={() => { setCanvasDraft({ ...galleryInput(data), previewUrl: data.url }); navigate("/canvas"); }}>{t("gallery.inpaint")}</button>
        ) : null}
        <button type="button" onClick={() => setSharing(true)}>{t("share.button")}</button>
        <button type="button" className="danger" onClick={() => void remove()}>{t("gallery.toTrash")}</button>
      </div>
      <ProblemNotice problem={problem} />
      <ImageOrganizer image={data} />
      <ShareDialog target={{ imageId: data.id }} open={sharing} onClose={() => setSharing(false)} />
      <UpscalePanel image={data} />
      <dl className="details">
        {shownParameters.filter((k) => data.metadata[k] !== undefined && data.metadata[k] !== "").map((key) => (
          <div key={key}>
            <dt>{label(key)}</dt>
            <dd>{parameterValue(locale, key, data.metadata[key], modelName)}</dd>
          </div>
        ))}
        <div><dt>{t("gallery.created")}</dt><dd>{formatDateTime(locale, data.createdAt)}</dd></div>
        <div><dt>{t("gallery.stored")}</dt><dd>{formatBytes(locale, data.storedBytes)}</dd></div>
      </dl>
    </section>
  );
}
