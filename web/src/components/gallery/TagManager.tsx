import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { TagCount } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { maxTagLength, normaliseTag } from "../../logic/tags";
import { useServices } from "../../services";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";
import { useModalDialog } from "../useModalDialog";

/** What the dialog is doing with one tag: typing its new name, or asking before a merge or a delete. */
type Step =
  | { kind: "rename"; tag: string; name: string }
  | { kind: "merge"; from: TagCount; to: TagCount }
  | { kind: "delete"; tag: TagCount };

/**
 * "Manage tags": every tag of the gallery with its image count; a tag is renamed on all its images
 * (merged, after a question, when the new name is already a tag) or removed from all of them. A modal
 * <dialog>: focus moves in, Escape closes, focus returns to the opener.
 */
export function TagManager({ open, onClose, onChanged }: {
  open: boolean;
  onClose: () => void;
  /** A tag became `to` (null: deleted), so a filter on it can follow. */
  onChanged: (from: string, to: string | null) => void;
}) {
  const { t } = useLocale();
  const dialog = useModalDialog(open);

  return (
    <dialog ref={dialog} className="confirm-dialog tag-manager" aria-labelledby="tag-manager-title" data-testid="tag-manager"
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {open ? (
        <>
          <h2 id="tag-manager-title">{t("gallery.tagManagerTitle")}</h2>
          <p className="hint">{t("gallery.tagManagerLead")}</p>
          <TagManagerBody onChanged={onChanged} />
          <div className="actions dialog-actions">
            <button type="button" onClick={onClose}>{t("gallery.tagManagerClose")}</button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}

function TagManagerBody({ onChanged }: { onChanged: (from: string, to: string | null) => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const tags = useQuery({ queryKey: ["tags"], queryFn: api.tags });
  const [step, setStep] = useState<Step | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const list = tags.data?.items ?? [];
  const images = (count: number) => t("gallery.tagImages", { count });

  /** Runs a change, then refreshes the tag list and every image view (their tags changed). */
  const run = async (work: () => Promise<string>, from: string, to: string | null) => {
    setBusy(true);
    setProblem(null);
    setStatus("");
    try {
      const said = await work();
      setStep(null);
      setStatus(said);
      onChanged(from, to);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
      await Promise.all([
        queries.invalidateQueries({ queryKey: ["tags"] }),
        queries.invalidateQueries({ queryKey: ["images"] }),
        queries.invalidateQueries({ queryKey: ["image"] }),
      ]);
    }
  };

  const rename = (from: string, to: string) => run(async () => {
    const { images: count } = await api.renameTag(from, to);
    return t("gallery.tagRenamed", { count, from, to });
  }, from, to);

  const merge = (from: string, to: string) => run(async () => {
    await api.renameTag(from, to);
    return t("gallery.tagMerged", { from, to });
  }, from, to);

  const remove = (tag: string) => run(async () => {
    const { images: count } = await api.deleteTag(tag);
    return t("gallery.tagDeleted", { count, tag });
  }, tag, null);

  const submitRename = (event: FormEvent, from: TagCount, name: string) => {
    event.preventDefault();
    const to = normaliseTag(name);
    const existing = list.find((x) => x.tag === to && x.tag !== from.tag);
    if (to === from.tag) {
      setStep(null);
    } else if (existing) {
      setProblem(null);
      setStep({ kind: "merge", from, to: existing });
    } else {
      void rename(from.tag, to);
    }
  };

  const cancel = () => { setStep(null); setProblem(null); };
  const fieldErrors = problem?.errors?.to;

  const row = (tag: TagCount) => {
    if (step?.kind === "rename" && step.tag === tag.tag) {
      return (
        <form className="tag-manager-form" onSubmit={(e) => submitRename(e, tag, step.name)}>
          <input id="tag-manager-name" value={step.name} maxLength={maxTagLength} autoFocus aria-label={t("gallery.tagRenameLabel", { tag: tag.tag })}
            aria-describedby={fieldErrors ? "tag-manager-name-error" : undefined} onChange={(e) => setStep({ ...step, name: e.target.value })} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || normaliseTag(step.name) === ""}>{t("gallery.tagSave")}</button>
            <button type="button" onClick={cancel}>{t("common.cancel")}</button>
          </div>
          <FieldError id="tag-manager-name-error" messages={fieldErrors} />
        </form>
      );
    }
    if (step?.kind === "merge" && step.from.tag === tag.tag) {
      return (
        <div className="tag-manager-question" role="group" aria-label={tag.tag}>
          <p>{t("gallery.tagMergeQuestion", { from: step.from.tag, to: step.to.tag, fromImages: images(step.from.images), toImages: images(step.to.images) })}</p>
          <div className="actions">
            <button type="button" onClick={cancel}>{t("common.cancel")}</button>
            <button type="button" className="primary" disabled={busy} onClick={() => void merge(step.from.tag, step.to.tag)}>{t("gallery.tagMergeYes")}</button>
          </div>
        </div>
      );
    }
    if (step?.kind === "delete" && step.tag.tag === tag.tag) {
      return (
        <div className="tag-manager-question" role="group" aria-label={tag.tag}>
          <p>{t("gallery.tagDeleteQuestion", { tag: tag.tag, count: tag.images })}</p>
          <div className="actions">
            <button type="button" onClick={cancel}>{t("common.cancel")}</button>
            <button type="button" className="primary danger-fill" disabled={busy} onClick={() => void remove(tag.tag)}>{t("gallery.tagDeleteYes")}</button>
          </div>
        </div>
      );
    }
    return (
      <div className="tag-manager-row">
        <span className="tag-manager-name">{tag.tag}</span>
        <span className="tag-manager-count">{images(tag.images)}</span>
        <span className="actions">
          <button type="button" className="button small" aria-label={t("gallery.tagRenameNamed", { tag: tag.tag })}
            onClick={() => { setProblem(null); setStep({ kind: "rename", tag: tag.tag, name: tag.tag }); }}>{t("gallery.tagRename")}</button>
          <button type="button" className="button small danger" aria-label={t("gallery.tagDeleteNamed", { tag: tag.tag })}
            onClick={() => { setProblem(null); setStep({ kind: "delete", tag }); }}>{t("gallery.tagDelete")}</button>
        </span>
      </div>
    );
  };

  return (
    <>
      <p className="gallery-status" role="status" data-testid="tag-manager-status">{status}</p>
      <ProblemNotice problem={problem} />
      {tags.error ? <ProblemNotice problem={tags.error instanceof ApiError ? tags.error.problem : null} /> : null}
      {tags.isLoading ? <p className="muted">{t("common.loading")}</p> : null}
      {tags.isSuccess && list.length === 0 ? <p className="muted">{t("gallery.tagManagerEmpty")}</p> : null}
      <ul className="tag-manager-list">
        {list.map((tag) => <li key={tag.tag} data-tag={tag.tag}>{row(tag)}</li>)}
      </ul>
    </>
  );
}
