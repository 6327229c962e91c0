import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { Share } from "../../api/types";
import { formatDateTime } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { Link } from "../../router";
import { useServices } from "../../services";
import { ProblemNotice } from "../ProblemNotice";
import { CopyField } from "./CopyField";
import { ShareStatusBadge } from "./ShareStatusBadge";

/** Links with their status, views and expiry; Revoke asks once, inline, then stops the link at once. */
export function ShareList({ shares, showTarget = false, onChanged }: { shares: Share[]; showTarget?: boolean; onChanged: () => void }) {
  const { t } = useLocale();
  if (shares.length === 0) {
    return <p className="muted">{t("share.none")}</p>;
  }
  return (
    <ul className="share-list">
      {shares.map((share) => <ShareRow key={share.id} share={share} showTarget={showTarget} onChanged={onChanged} />)}
    </ul>
  );
}

function ShareRow({ share, showTarget, onChanged }: { share: Share; showTarget: boolean; onChanged: () => void }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const created = formatDateTime(locale, share.createdAt);

  const revoke = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api.revokeShare(share.id);
      setConfirming(false);
      onChanged();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="share-row" data-testid="share-row" data-status={share.status}>
      <p className="share-meta">
        <ShareStatusBadge share={share} />
        {share.hasPassword ? <span className="badge">{t("share.passwordProtected")}</span> : null}
        {showTarget ? (
          share.imageId !== null
            ? <Link to={`/gallery/${share.imageId}`}>{t("share.targetImage")}</Link>
            : <span>{t("share.targetFolder")}</span>
        ) : null}
        <span data-testid="share-views">
          {share.maxViews !== null ? t("share.viewsOf", { views: share.views, max: share.maxViews }) : t("share.views", { count: share.views })}
        </span>
        <span className="muted">{t("share.createdAt", { date: created })}</span>
        {share.expiresAt !== null ? <span className="muted">{t("share.expires", { date: formatDateTime(locale, share.expiresAt) })}</span> : null}
      </p>
      {share.status === "revoked" ? null : <CopyField id={`share-url-${share.id}`} url={share.url} label={t("share.linkLabel")} />}
      <ProblemNotice problem={problem} />
      {share.status === "revoked" ? null : confirming ? (
        <span className="confirm" role="group" aria-label={t("share.revokeConfirm")}>
          <span>{t("share.revokeConfirm")}</span>
          <button type="button" className="danger" disabled={busy} onClick={() => void revoke()}>{t("share.revoke")}</button>
          <button type="button" onClick={() => setConfirming(false)}>{t("common.cancel")}</button>
        </span>
      ) : (
        <div className="actions">
          <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={t("share.revokeNamed", { date: created })}>{t("share.revoke")}</button>
        </div>
      )}
    </li>
  );
}
