import { useRef, useState, type DragEvent } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { MessageKey } from "../i18n/i18n";
import { useLocale } from "../i18n/LocaleContext";
import type { GenerateForm } from "../logic/generateForm";
import { useServices } from "../services";
import { ProblemNotice } from "./ProblemNotice";

const types = ["image/png", "image/webp", "image/jpeg"];

/** img2img: drop or pick an image, uploaded at once (POST /uploads), with the strength to apply. */
export function InitImagePicker({ image, strength, onImage, onStrength, legend = "generate.initImage" }: {
  legend?: MessageKey;
  image: GenerateForm["initImage"];
  strength: number;
  onImage: (image: GenerateForm["initImage"]) => void;
  onStrength: (strength: number) => void;
}) {
  const { t } = useLocale();
  const { api } = useServices();
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  // The preview is a blob URL of the picked file: free it when the image is replaced or removed.
  const replace = (next: GenerateForm["initImage"]) => {
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

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) {
      void upload(file);
    }
  };

  return (
    <fieldset className="init-image">
      <legend>{t(legend)}</legend>
      {image ? (
        <div className="init-preview">
          <img src={image.previewUrl} alt={t("generate.initImageAlt")} width={96} height={Math.round((96 * image.height) / image.width)} />
          <button type="button" onClick={() => replace(null)}>{t("generate.removeImage")}</button>
        </div>
      ) : (
        <div
          className={dragging ? "drop-zone dragging" : "drop-zone"}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)}
          onDrop={drop}
        >
          <p>{busy ? t("generate.uploading") : t("generate.dropHint")}</p>
          <button type="button" onClick={() => input.current?.click()} disabled={busy}>{t("generate.pickImage")}</button>
          <input
            ref={input}
            type="file"
            accept={types.join(",")}
            className="visually-hidden"
            tabIndex={-1}
            aria-label={t("generate.pickImage")}
            onChange={(e) => { const file = e.target.files?.[0]; if (file) { void upload(file); } e.target.value = ""; }}
          />
        </div>
      )}
      {image ? (
        <div className="field">
          <label htmlFor="strength">{t("param.strength")} <output htmlFor="strength">{strength.toFixed(2)}</output></label>
          <input id="strength" type="range" min={0} max={1} step={0.05} value={strength} onChange={(e) => onStrength(Number(e.target.value))} />
          <p className="hint">{t("generate.strengthHint")}</p>
        </div>
      ) : null}
      <ProblemNotice problem={problem} />
    </fieldset>
  );
}
