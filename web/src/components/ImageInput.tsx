import { useQuery } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import { useLocale } from "../i18n/LocaleContext";
import { galleryInput, type InitImage } from "../logic/generateForm";
import { useServices } from "../services";
import { ProblemNotice } from "./ProblemNotice";

const types = ["image/png", "image/webp", "image/jpeg"];

/** One image input (control, reference, a workflow's image field): upload a file or pick from the gallery. */
export function ImageInput({ label, image, onImage }: { label: string; image: InitImage | null; onImage: (image: InitImage | null) => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  const gallery = useQuery({ queryKey: ["images", "picker"], queryFn: () => api.images(null), enabled: browsing });

  const replace = (next: InitImage | null) => {
    if (image?.previewUrl.startsWith("blob:")) {
      URL.revokeObjectURL(image.previewUrl);
    }
    onImage(next);
  };

  const upload = async (file: File) => {
    setProblem(null);
    if (!types.includes(file.type)) {
      setProblem({ status: 415, code: "unsupported_media_type", title: "", errors: {} });
      return;
    }
    setBusy(true);
    try {
      const uploaded = await api.upload(file, file.type);
      replace({ id: uploaded.id, previewUrl: URL.createObjectURL(file), width: uploaded.width, height: uploaded.height });
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="image-input" role="group" aria-labelledby={`${id}-label`}>
      <span id={`${id}-label`} className="image-input-label">{label}</span>
      {image ? (
        <div className="init-preview">
          <img src={image.previewUrl} alt={t("addons.imageAlt", { label })} width={64} height={Math.round((64 * image.height) / Math.max(1, image.width))} />
          <button type="button" onClick={() => replace(null)}>{t("generate.removeImage")}</button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" onClick={() => input.current?.click()} disabled={busy}>{busy ? t("generate.uploading") : t("addons.upload")}</button>
          <button type="button" aria-expanded={browsing} onClick={() => setBrowsing((b) => !b)}>{t("addons.fromGallery")}</button>
          <input ref={input} type="file" accept={types.join(",")} className="visually-hidden" tabIndex={-1} aria-label={t("addons.upload")}
            onChange={(e) => { const file = e.target.files?.[0]; if (file) { void upload(file); } e.target.value = ""; }} />
        </div>
      )}
      {browsing && !image ? (
        <ul className="picker-grid">
          {gallery.data?.items.length === 0 ? <li className="muted">{t("gallery.empty")}</li> : null}
          {gallery.data?.items.map((g) => (
            <li key={g.id}>
              <button type="button" className="picker-item" onClick={() => { replace(galleryInput(g)); setBrowsing(false); }} aria-label={t("addons.pick", { prompt: g.prompt })}>
                <img src={g.thumbnailUrl} alt="" width={56} height={56} loading="lazy" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <ProblemNotice problem={problem} />
    </div>
  );
}
