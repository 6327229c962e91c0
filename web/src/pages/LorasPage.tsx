import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { Lora } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { FeatureLock } from "../components/FeatureLock";
import { LoraUpload } from "../components/loras/LoraUpload";
import { ProblemNotice } from "../components/ProblemNotice";
import { useMe, usePlans } from "../hooks";
import { formatBytes } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import { familyName, planHas, triggerWords, unlockingPlan } from "../logic/addOns";
import { useServices } from "../services";

/** The user's LoRAs (Pro and above): upload, family, size, trigger words, storage, rename, delete. */
export default function LorasPage() {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const me = useMe();
  const plans = usePlans();
  const allowed = planHas(plans.data, me.data?.plan.id, "loras");
  const list = useQuery({ queryKey: ["loras"], queryFn: api.loras, enabled: allowed === true });
  const [deleting, setDeleting] = useState<Lora | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const title = <h1 id="loras-title">{t("loras.title")}</h1>;
  if (allowed === undefined) {
    return <section aria-labelledby="loras-title">{title}<p className="muted">{t("common.loading")}</p></section>;
  }
  if (!allowed) {
    return <section aria-labelledby="loras-title">{title}<FeatureLock what={t("loras.title")} plan={unlockingPlan(plans.data, "loras", "Pro")} /></section>;
  }
  const refresh = () => {
    void queries.invalidateQueries({ queryKey: ["loras"] });
    void queries.invalidateQueries({ queryKey: ["storage"] });
  };

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.deleteLora(deleting.id);
      refresh();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setDeleting(null);
      setBusy(false);
    }
  };

  const data = list.data;
  return (
    <section aria-labelledby="loras-title" className="loras">
      {title}
      {data ? (
        <p data-testid="lora-storage">
          {data.quotaBytes !== null
            ? t("loras.storage", { used: formatBytes(locale, data.usedBytes), quota: formatBytes(locale, data.quotaBytes) })
            : t("loras.storageUnlimited", { used: formatBytes(locale, data.usedBytes) })}
        </p>
      ) : null}
      <LoraUpload onUploaded={refresh} />
      <ProblemNotice problem={problem ?? (list.error instanceof ApiError ? list.error.problem : null)} />
      {data?.items.length === 0 ? <p className="muted">{t("loras.empty")}</p> : null}
      <ul className="lora-list">
        {data?.items.map((lora) => <LoraRow key={lora.id} lora={lora} onChanged={refresh} onDelete={() => { setProblem(null); setDeleting(lora); }} />)}
      </ul>
      <ConfirmDialog open={deleting !== null} title={t("loras.confirmDelete", { name: deleting?.name ?? "" })} confirmLabel={t("gallery.deleteYes")} danger busy={busy}
        onConfirm={() => void remove()} onClose={() => setDeleting(null)} />
    </section>
  );
}

function LoraRow({ lora, onChanged, onDelete }: { lora: Lora; onChanged: () => void; onDelete: () => void }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(lora.name);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const words = triggerWords(lora.triggerWords);

  const rename = async () => {
    setProblem(null);
    try {
      await api.renameLora(lora.id, name.trim());
      setEditing(false);
      onChanged();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    }
  };

  return (
    <li className="lora-row" data-testid="lora-row" data-family={lora.family}>
      {editing ? (
        <form className="input-with-button" onSubmit={(e) => { e.preventDefault(); void rename(); }}>
          <label className="visually-hidden" htmlFor={`lora-rename-${lora.id}`}>{t("loras.newName")}</label>
          <input id={`lora-rename-${lora.id}`} type="text" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="primary" disabled={name.trim() === ""}>{t("loras.saveName")}</button>
          <button type="button" onClick={() => { setEditing(false); setName(lora.name); }}>{t("common.cancel")}</button>
        </form>
      ) : (
        <h2 className="card-title">{lora.name} <span className="badge">{familyName(lora.family)}</span></h2>
      )}
      <p className="muted">{lora.fileName} · {formatBytes(locale, lora.bytes)}</p>
      {words.length !== 0 ? <p>{t("loras.triggerWords")} <code>{words.join(", ")}</code></p> : null}
      <ProblemNotice problem={problem} />
      {editing ? null : (
        <div className="actions">
          <button type="button" onClick={() => setEditing(true)} aria-label={t("loras.renameNamed", { name: lora.name })}>{t("loras.rename")}</button>
          <button type="button" className="danger" onClick={onDelete} aria-label={t("loras.deleteNamed", { name: lora.name })}>{t("gallery.delete")}</button>
        </div>
      )}
    </li>
  );
}
