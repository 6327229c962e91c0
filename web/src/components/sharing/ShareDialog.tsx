import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { Share, ShareTarget } from "../../api/types";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { fieldErrorText } from "../../logic/problemText";
import { emptyShareForm, shareBody, shareExpiries, targetKey, type ShareForm } from "../../logic/shareLinks";
import { useServices } from "../../services";
import { ProblemNotice } from "../ProblemNotice";
import { CopyField } from "./CopyField";
import { ShareList } from "./ShareList";
import { useModalDialog } from "../useModalDialog";

/**
 * Makes a share link for one image or one folder (password, expiry, view limit), shows the new
 * link with Copy, and lists the target's links with their views and Revoke. A modal <dialog>:
 * focus moves in, Escape closes, focus returns to the opener.
 */
export function ShareDialog({ target, open, onClose }: { target: ShareTarget; open: boolean; onClose: () => void }) {
  const { t } = useLocale();
  const dialog = useModalDialog(open);

  return (
    <dialog ref={dialog} className="confirm-dialog share-dialog" aria-labelledby="share-dialog-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {open ? (
        <>
          <h2 id="share-dialog-title">{t("share.dialogTitle")}</h2>
          <p className="hint">{t("imageId" in target ? "share.dialogLeadImage" : "share.dialogLeadFolder")}</p>
          <ShareDialogBody target={target} />
          <div className="actions dialog-actions">
            <button type="button" onClick={onClose}>{t("share.close")}</button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}

function ShareDialogBody({ target }: { target: ShareTarget }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const key = ["shares", targetKey(target)];
  const links = useQuery({ queryKey: key, queryFn: () => api.shares(target) });
  const [form, setForm] = useState<ShareForm>(emptyShareForm);
  const [created, setCreated] = useState<Share | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => void queries.invalidateQueries({ queryKey: ["shares"] });

  const create = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const share = await api.createShare(shareBody(target, form));
      setCreated(share);
      setForm(emptyShareForm);
      refresh();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const errors = problem?.code === "validation_failed" ? problem.errors : {};
  const passwordError = fieldErrorText(locale, errors.password);
  const viewsError = fieldErrorText(locale, errors.maxViews);
  return (
    <>
      <form className="share-form" onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <div className="field">
          <label htmlFor="share-password">{t("share.password")}</label>
          <input id="share-password" type="password" autoComplete="new-password" minLength={4} maxLength={128} value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })} aria-describedby="share-password-hint" />
          <p id="share-password-hint" className="hint">{t("share.passwordHint")}</p>
          {passwordError ? <p className="field-error">{passwordError}</p> : null}
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="share-expiry">{t("share.expiry")}</label>
            <select id="share-expiry" value={form.expiry} onChange={(e) => setForm({ ...form, expiry: e.target.value as ShareForm["expiry"] })}>
              {shareExpiries.map((expiry) => (
                <option key={expiry} value={expiry}>{t(`share.expiry${expiry[0].toUpperCase()}${expiry.slice(1)}` as MessageKey)}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="share-max-views">{t("share.maxViews")}</label>
            <input id="share-max-views" type="number" inputMode="numeric" min={1} max={1000000} value={form.maxViews}
              onChange={(e) => setForm({ ...form, maxViews: e.target.value })} aria-describedby="share-max-views-hint" />
            <p id="share-max-views-hint" className="hint">{t("share.maxViewsHint")}</p>
            {viewsError ? <p className="field-error">{viewsError}</p> : null}
          </div>
        </div>
        <ProblemNotice problem={problem} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>{t("share.create")}</button>
        </div>
      </form>
      {created ? (
        <div className="notice ok" role="status">
          <p>{t("share.created")}</p>
          <CopyField id="share-new-url" url={created.url} label={t("share.linkLabel")} />
        </div>
      ) : null}
      <h3>{t("share.existing")}</h3>
      {links.data ? <ShareList shares={links.data.items} onChanged={refresh} /> : <p className="muted">{t("common.loading")}</p>}
    </>
  );
}
