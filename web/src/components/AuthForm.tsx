import { useState, type FormEvent, type ReactNode } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { AuthResponse } from "../api/types";
import type { MessageKey } from "../i18n/i18n";
import { useLocale } from "../i18n/LocaleContext";
import { useServices } from "../services";
import { startSession } from "../session";
import { FieldError } from "./FieldError";
import { ProblemNotice } from "./ProblemNotice";

export interface AuthField {
  name: string;
  label: MessageKey;
  type: "email" | "password" | "text";
  autoComplete: string;
  hint?: MessageKey;
}

/** Sign-in and sign-up share this: labelled inputs, field errors from the problem, then the session stored. */
export function AuthForm({ title, fields, submitLabel, send, footer, onTotpRequired }: {
  title: MessageKey;
  fields: AuthField[];
  submitLabel: MessageKey;
  send: (values: Record<string, string>) => Promise<AuthResponse>;
  footer: ReactNode;
  /** Sign-in only: the password was right and the account asks for its code (second step). */
  onTotpRequired?: (challengeToken: string) => void;
}) {
  const { t } = useLocale();
  const services = useServices();
  const [values, setValues] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      startSession(services, await send(values));
    } catch (error) {
      const found = error instanceof ApiError ? error.problem : null;
      if (found?.code === "totp_required" && found.challengeToken && onTotpRequired) {
        onTotpRequired(found.challengeToken);
        return;
      }
      setProblem(found);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="auth">
      <h1>{t(title)}</h1>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {fields.map((field) => {
          const errors = problem?.errors[field.name];
          return (
            <div className="field" key={field.name}>
              <label htmlFor={field.name}>{t(field.label)}</label>
              <input
                id={field.name}
                name={field.name}
                type={field.type}
                autoComplete={field.autoComplete}
                required
                value={values[field.name] ?? ""}
                onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
                aria-invalid={errors ? true : undefined}
                aria-describedby={errors ? `${field.name}-error` : field.hint ? `${field.name}-hint` : undefined}
              />
              {field.hint ? <p id={`${field.name}-hint`} className="hint">{t(field.hint)}</p> : null}
              <FieldError id={`${field.name}-error`} messages={errors} />
            </div>
          );
        })}
        <ProblemNotice problem={problem} />
        <button type="submit" className="primary" disabled={busy}>{t(submitLabel)}</button>
      </form>
      <p>{footer}</p>
    </section>
  );
}
