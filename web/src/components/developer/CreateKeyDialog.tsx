import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { CreatedApiKey } from "../../api/types";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { apiScopes, emptyKeyForm, keyBody, keyExpiries, keyFormErrors, toggle, type KeyExpiry, type KeyForm } from "../../logic/developer";
import { useServices } from "../../services";
import { FieldError } from "../FieldError";
import { useModalDialog } from "../useModalDialog";
import { DeveloperProblem } from "./DeveloperProblem";
import { SecretReveal } from "./SecretReveal";

/**
 * Makes a key: name, scopes (each with a line on what it opens), optional expiry. The answer's
 * secret is shown once, in this dialog; closing it forgets the secret.
 */
export function CreateKeyDialog({ open, plan, onCreated, onClose }: { open: boolean; plan: string; onCreated: () => void; onClose: () => void }) {
  const { t } = useLocale();
  const dialog = useModalDialog(open);
  return (
    <dialog ref={dialog} className="confirm-dialog developer-dialog" aria-labelledby="create-key-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {open ? (
        <>
          <h2 id="create-key-title">{t("developer.createKey")}</h2>
          <CreateKeyBody plan={plan} onCreated={onCreated} onClose={onClose} />
        </>
      ) : null}
    </dialog>
  );
}

function CreateKeyBody({ plan, onCreated, onClose }: { plan: string; onCreated: () => void; onClose: () => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const [form, setForm] = useState<KeyForm>(emptyKeyForm);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  if (created !== null) {
    return (
      <>
        <p>{t("developer.keyCreated", { name: created.name })}</p>
        <SecretReveal id="new-api-key" label={t("developer.newKeyLabel")} secret={created.key} />
        <div className="actions dialog-actions">
          <button type="button" className="primary" onClick={onClose}>{t("developer.done")}</button>
        </div>
      </>
    );
  }

  const local = keyFormErrors(form);
  const server = problem?.code === "validation_failed" ? problem.errors : {};
  const submit = async () => {
    setTried(true);
    if (local.name || local.scopes) return;
    setBusy(true);
    setProblem(null);
    try {
      setCreated(await api.developer.createKey(keyBody(form)));
      onCreated();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <div className="field">
        <label htmlFor="key-name">{t("developer.keyName")}</label>
        <input id="key-name" type="text" maxLength={60} value={form.name} autoComplete="off"
          aria-invalid={tried && local.name ? true : undefined} aria-describedby="key-name-hint key-name-error"
          onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <p id="key-name-hint" className="hint">{t("developer.keyNameHint")}</p>
        {tried && local.name ? <p id="key-name-error" className="field-error">{t(local.name)}</p> : <FieldError id="key-name-error" messages={server.name} />}
      </div>
      <fieldset className="field check-list">
        <legend>{t("developer.scopes")}</legend>
        {apiScopes.map((scope) => (
          <label key={scope} className="check-option">
            <input type="checkbox" name="scope" value={scope} checked={form.scopes.includes(scope)}
              onChange={(e) => setForm({ ...form, scopes: toggle(apiScopes, form.scopes, scope, e.target.checked) })} />
            <span><code>{scope}</code> <span className="hint">{t(`developer.scope.${scope}` as MessageKey)}</span></span>
          </label>
        ))}
        {tried && local.scopes ? <p className="field-error">{t(local.scopes)}</p> : <FieldError id="key-scopes-error" messages={server.scopes} />}
      </fieldset>
      <div className="field">
        <label htmlFor="key-expiry">{t("developer.expiry")}</label>
        <select id="key-expiry" value={form.expiry} onChange={(e) => setForm({ ...form, expiry: e.target.value as KeyExpiry })}>
          {keyExpiries.map((expiry) => <option key={expiry} value={expiry}>{t(`developer.expiry.${expiry}` as MessageKey)}</option>)}
        </select>
        <FieldError id="key-expiry-error" messages={server.expiresAt} />
      </div>
      <DeveloperProblem problem={problem} plan={plan} />
      <div className="actions dialog-actions">
        <button type="button" onClick={onClose}>{t("common.cancel")}</button>
        <button type="submit" className="primary" disabled={busy}>{t("developer.createKey")}</button>
      </div>
    </form>
  );
}
