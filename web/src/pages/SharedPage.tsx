import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { PublicShare } from "../api/types";
import { ProblemNotice } from "../components/ProblemNotice";
import { formatDateTime } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import { useServices } from "../services";

/**
 * The public page of a share link, `/s/:token`: no header of the app and no session needed. The
 * image large, or a folder's images in a grid; a password form when the link has one; and one
 * plain page for a link that is unknown, expired, revoked or used up (the server does not say which).
 */
export function SharedPage({ token }: { token: string }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  // A visitor's view is counted once per browser session, so refetching is harmless; no retries on 4xx.
  const share = useQuery({ queryKey: ["publicShare", token], queryFn: () => api.publicShare(token), retry: false, refetchOnWindowFocus: false });
  const code = share.error instanceof ApiError ? share.error.problem.code : null;

  useEffect(() => {
    document.title = t("share.publicTitle");
  }, [t]);

  let body;
  if (share.data) {
    body = <SharedImages share={share.data} />;
  } else if (code === "share_password_required") {
    body = <UnlockForm token={token} onUnlocked={() => void queries.invalidateQueries({ queryKey: ["publicShare", token] })} />;
  } else if (code === "share_not_found") {
    body = (
      <section className="shared-gone" aria-labelledby="shared-gone-title" data-testid="share-gone">
        <h1 id="shared-gone-title">{t("share.goneTitle")}</h1>
        <p className="hint">{t("share.goneLead")}</p>
      </section>
    );
  } else if (share.error) {
    body = <ProblemNotice problem={share.error instanceof ApiError ? share.error.problem : null} />;
  } else {
    body = <p className="muted">{t("common.loading")}</p>;
  }
  return (
    <div className="shared-page">
      <p className="brand shared-brand">{t("app.name")}</p>
      {body}
    </div>
  );
}

function SharedImages({ share }: { share: PublicShare }) {
  const { t, locale } = useLocale();
  const title = share.kind === "folder" && share.name ? share.name : t("share.publicTitle");
  const until = share.expiresAt ? <p className="hint">{t("share.expiresOn", { date: formatDateTime(locale, share.expiresAt) })}</p> : null;
  if (share.kind === "image" && share.images.length > 0) {
    const image = share.images[0];
    return (
      <section aria-labelledby="shared-title" data-testid="shared-image">
        <h1 id="shared-title">{title}</h1>
        {until}
        <div className="image-frame" style={{ aspectRatio: `${image.width} / ${image.height}`, maxWidth: `min(100%, ${Math.max(image.width, 512)}px)` }}>
          <img src={image.url} alt={t("share.imageAlt", { index: 1 })} width={image.width} height={image.height} />
        </div>
      </section>
    );
  }
  return (
    <section aria-labelledby="shared-title" data-testid="shared-folder">
      <h1 id="shared-title">{title}</h1>
      {until}
      {share.images.length === 0 ? <p className="muted">{t("share.emptyFolder")}</p> : (
        <ul className="gallery-grid shared-grid">
          {share.images.map((image, index) => (
            <li key={image.id} className="gallery-item">
              <a href={image.url} target="_blank" rel="noreferrer" aria-label={`${t("share.openFull")}: ${t("share.imageAlt", { index: index + 1 })}`}>
                <img src={image.thumbnailUrl} alt={t("share.imageAlt", { index: index + 1 })} width={image.width} height={image.height} loading="lazy" />
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function UnlockForm({ token, onUnlocked }: { token: string; onUnlocked: () => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const unlock = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api.unlockShare(token, password);
      onUnlocked();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  let message: string | null = null;
  if (problem?.code === "share_password_invalid" || problem?.code === "validation_failed") {
    message = t("share.wrongPassword");
  } else if (problem?.code === "share_password_throttled") {
    message = t("share.throttled", { seconds: problem.retryAfterSeconds ?? 30 });
  }
  return (
    <section className="auth" aria-labelledby="shared-locked-title" data-testid="share-locked">
      <h1 id="shared-locked-title">{t("share.lockedTitle")}</h1>
      <p className="hint">{t("share.lockedLead")}</p>
      <form onSubmit={(e) => { e.preventDefault(); void unlock(); }}>
        <div className="field">
          <label htmlFor="shared-password">{t("share.unlockPassword")}</label>
          <input id="shared-password" type="password" autoComplete="off" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        {message ? <p className="notice error" role="alert">{message}</p> : <ProblemNotice problem={problem?.code === "share_not_found" ? null : problem} />}
        {problem?.code === "share_not_found" ? <p className="notice error" role="alert">{t("share.goneTitle")}</p> : null}
        <button type="submit" className="primary" disabled={busy || password === ""}>{t("share.unlock")}</button>
      </form>
    </section>
  );
}
