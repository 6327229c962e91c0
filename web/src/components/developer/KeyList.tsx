import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { ApiKey } from "../../api/types";
import { formatDateTime } from "../../i18n/format";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { keyState } from "../../logic/developer";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { DeveloperProblem } from "./DeveloperProblem";
import { NameChips } from "./ScopeChips";

/** The user's keys, newest first: prefix, scopes, when made, last used (and from where), expiry; Revoke asks first. */
export function KeyList({ keys, plan, onChanged }: { keys: ApiKey[]; plan: string; onChanged: () => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const revoke = async () => {
    if (revoking === null) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.developer.revokeKey(revoking.id);
      onChanged();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setRevoking(null);
      setBusy(false);
    }
  };

  if (keys.length === 0) {
    return <p className="muted" data-testid="keys-empty">{t("developer.keysEmpty")}</p>;
  }
  return (
    <>
      <DeveloperProblem problem={problem} plan={plan} />
      <ul className="dev-list" aria-label={t("developer.keysTitle")}>
        {keys.map((key) => <KeyRow key={key.id} apiKey={key} onRevoke={() => setRevoking(key)} />)}
      </ul>
      <ConfirmDialog
        open={revoking !== null}
        title={t("developer.revokeTitle", { name: revoking?.name ?? "" })}
        confirmLabel={t("developer.revoke")}
        danger
        busy={busy}
        onConfirm={() => void revoke()}
        onClose={() => setRevoking(null)}
      >
        <p>{t("developer.revokeLead")}</p>
      </ConfirmDialog>
    </>
  );
}

function KeyRow({ apiKey, onRevoke }: { apiKey: ApiKey; onRevoke: () => void }) {
  const { t, locale } = useLocale();
  const state = keyState(apiKey);
  return (
    <li className="dev-row" data-testid="key-row" data-state={state} data-id={apiKey.id}>
      <div className="dev-row-head">
        <strong className="dev-row-name">{apiKey.name}</strong>
        <span className={state === "active" ? "badge state-idle" : "badge badge-danger"}>{t(`developer.keyState.${state}` as MessageKey)}</span>
      </div>
      <code className="dev-prefix" data-testid="key-prefix">{t("developer.prefixShown", { prefix: apiKey.prefix })}</code>
      <NameChips names={apiKey.scopes} prefix="developer.scope" label={t("developer.scopes")} />
      <dl className="dev-meta">
        <div><dt>{t("developer.created")}</dt><dd>{formatDateTime(locale, apiKey.createdAt)}</dd></div>
        <div>
          <dt>{t("developer.lastUsed")}</dt>
          <dd data-testid="key-last-used">
            {apiKey.lastUsedAt === null
              ? t("developer.neverUsed")
              : apiKey.lastUsedIp === null
                ? formatDateTime(locale, apiKey.lastUsedAt)
                : t("developer.lastUsedFrom", { date: formatDateTime(locale, apiKey.lastUsedAt), ip: apiKey.lastUsedIp })}
          </dd>
        </div>
        <div><dt>{t("developer.expires")}</dt><dd>{apiKey.expiresAt === null ? t("developer.neverExpires") : formatDateTime(locale, apiKey.expiresAt)}</dd></div>
        {apiKey.revokedAt !== null ? <div><dt>{t("developer.revokedAt")}</dt><dd>{formatDateTime(locale, apiKey.revokedAt)}</dd></div> : null}
      </dl>
      {state === "revoked" ? null : (
        <div className="actions">
          <button type="button" className="danger" onClick={onRevoke} aria-label={t("developer.revokeNamed", { name: apiKey.name })}>{t("developer.revoke")}</button>
        </div>
      )}
    </li>
  );
}
