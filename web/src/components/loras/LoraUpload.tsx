import { useRef, useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { UploadProgress } from "../../api/client";
import { formatBytes, formatNumber } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { ProblemNotice } from "../ProblemNotice";

// The server's Loras:MaxBytes: a larger file is refused at once instead of after sending it all.
const maxBytes = 512 * 1024 * 1024;

/** A .safetensors upload with a real progress bar (the bytes sent so far), cancellable. */
export function LoraUpload({ onUploaded }: { onUploaded: () => void }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const input = useRef<HTMLInputElement>(null);
  const controller = useRef<AbortController | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const upload = async () => {
    if (!file) return;
    setProblem(null);
    if (file.size > maxBytes) {
      setProblem({ status: 413, code: "file_too_large", title: "", errors: {} });
      return;
    }
    setProgress({ loaded: 0, total: file.size });
    controller.current = new AbortController();
    try {
      await api.uploadLora(file, name, setProgress, controller.current.signal);
      setFile(null);
      setName("");
      onUploaded();
    } catch (error) {
      if (error instanceof ApiError) {
        setProblem(error.problem);
      }
    } finally {
      setProgress(null);
      controller.current = null;
    }
  };

  const total = progress ? progress.total || file?.size || 0 : 0;
  const percent = progress && total > 0 ? Math.min(100, Math.round((progress.loaded / total) * 100)) : 0;
  return (
    <section className="panel" aria-labelledby="lora-upload-title">
      <h2 id="lora-upload-title">{t("loras.upload")}</h2>
      <p className="hint">{t("loras.uploadHint")}</p>
      <div className="actions">
        <button type="button" onClick={() => input.current?.click()} disabled={progress !== null}>{t("loras.chooseFile")}</button>
        {file ? <span>{file.name} · {formatBytes(locale, file.size)}</span> : null}
      </div>
      <input ref={input} type="file" accept=".safetensors" className="visually-hidden" tabIndex={-1} aria-label={t("loras.chooseFile")}
        onChange={(e) => { const picked = e.target.files?.[0]; if (picked) { setFile(picked); setProblem(null); } e.target.value = ""; }} />
      {file ? (
        <div className="field">
          <label htmlFor="lora-name">{t("loras.nameOptional")}</label>
          <input id="lora-name" type="text" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} disabled={progress !== null} />
        </div>
      ) : null}
      {progress ? (
        <div className="progress" data-testid="lora-upload-progress">
          <div className="progress-track" role="progressbar" aria-label={t("loras.uploading")} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <div className="progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <span className="progress-label">{t("loras.sent", { sent: formatBytes(locale, progress.loaded), total: formatBytes(locale, total), percent: formatNumber(locale, percent) })}</span>
          <button type="button" onClick={() => controller.current?.abort()}>{t("common.cancel")}</button>
        </div>
      ) : file ? (
        <button type="button" className="primary" onClick={() => void upload()}>{t("loras.uploadButton")}</button>
      ) : null}
      <ProblemNotice problem={problem} />
      {problem?.code === "invalid_safetensors" && problem.detail && locale === "en" ? <p className="hint">{problem.detail}</p> : null}
    </section>
  );
}
