import { useRef, useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { ExposedFieldType, WorkflowBody } from "../../api/types";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { readWorkflowFile, type ReadWorkflow } from "../../logic/workflowFile";
import { ProblemNotice } from "../ProblemNotice";
import { WorkflowRunner } from "./WorkflowRunner";

type Read = Extract<ReadWorkflow, { ok: true }>;

// The field's kind in the user's words (the file's type names are InvokeAI's).
const fieldTypeKeys: Record<ExposedFieldType, MessageKey> = {
  string: "workflows.fieldType.string", integer: "workflows.fieldType.integer", float: "workflows.fieldType.float", boolean: "workflows.fieldType.boolean",
  enum: "workflows.fieldType.enum", image: "workflows.fieldType.image", model: "workflows.fieldType.model",
};

/** Upload a .json (an editor export or a graph): preview its fields, then save it (with a name) or run it once. */
// Refusals whose server detail says exactly what to change (shown in English only: the server's words are English).
const detailed = ["invalid_workflow", "workflow_too_large", "unknown_workflow_model"];

export function WorkflowUpload({ onSave, allowRun = true }: { onSave: (body: WorkflowBody) => Promise<void>; allowRun?: boolean }) {
  const { t, locale } = useLocale();
  const input = useRef<HTMLInputElement>(null);
  const [read, setRead] = useState<Read | null>(null);
  const [readError, setReadError] = useState<"json" | "shape" | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [running, setRunning] = useState(false);

  const pick = async (file: File) => {
    setProblem(null);
    setRunning(false);
    const result = readWorkflowFile(await file.text());
    if (!result.ok) {
      setRead(null);
      setReadError(result.reason);
      return;
    }
    setReadError(null);
    setRead(result);
    setName(result.name || file.name.replace(/\.json$/i, ""));
    setDescription(result.description);
  };

  const body = (r: Read) => (r.format === "workflow" ? { workflow: r.document } : { graph: r.document });

  const save = async () => {
    if (!read || name.trim() === "") return;
    setBusy(true);
    setProblem(null);
    try {
      await onSave({ name: name.trim(), description: description.trim() || null, ...body(read) });
      setRead(null);
      setName("");
      setDescription("");
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel workflow-upload" aria-labelledby="workflow-upload-title">
      <h2 id="workflow-upload-title">{t("workflows.upload")}</h2>
      <p className="hint">{t("workflows.uploadHint")}</p>
      <button type="button" onClick={() => input.current?.click()}>{t("workflows.chooseFile")}</button>
      <input ref={input} type="file" accept=".json,application/json" className="visually-hidden" tabIndex={-1} aria-label={t("workflows.chooseFile")}
        onChange={(e) => { const file = e.target.files?.[0]; if (file) { void pick(file); } e.target.value = ""; }} />
      {readError ? <p className="notice error" role="alert">{t(readError === "json" ? "workflows.notJson" : "workflows.notWorkflow")}</p> : null}
      {read ? (
        <div className="workflow-preview" data-testid="workflow-preview">
          <p>{t("workflows.nodes", { count: read.nodeCount })} · {t(read.format === "workflow" ? "workflows.formatWorkflow" : "workflows.formatGraph")}</p>
          <h3>{t("workflows.exposedFields")}</h3>
          {read.exposedFields.length === 0 ? <p className="hint">{t("workflows.noFields")}</p> : (
            <ul className="field-preview">
              {read.exposedFields.map((f) => <li key={`${f.nodeId}.${f.field}`}>{f.label} <span className="muted">({t(fieldTypeKeys[f.type])})</span></li>)}
            </ul>
          )}
          <div className="field">
            <label htmlFor="workflow-name">{t("workflows.name")}</label>
            <input id="workflow-name" type="text" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="workflow-description">{t("workflows.description")}</label>
            <textarea id="workflow-description" rows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <ProblemNotice problem={problem} />
          {problem?.detail && locale === "en" && detailed.includes(problem.code) ? <p className="hint">{problem.detail}</p> : null}
          <div className="actions">
            <button type="button" className="primary" disabled={busy || name.trim() === ""} onClick={() => void save()}>{t("workflows.save")}</button>
            {allowRun ? <button type="button" aria-expanded={running} onClick={() => setRunning((r) => !r)}>{t("workflows.runOnce")}</button> : null}
          </div>
          {running ? <WorkflowRunner source={body(read)} fields={read.exposedFields} /> : null}
        </div>
      ) : null}
    </section>
  );
}
