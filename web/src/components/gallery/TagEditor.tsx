import { useState, type KeyboardEvent } from "react";

import { useLocale } from "../../i18n/LocaleContext";
import { addTags, maxTags, parseTags } from "../../logic/tags";

/**
 * Tags as chips with a remove button each, and a box that adds what is typed on Enter, a comma or "Add".
 * Shows tags as the server will store them (normalised). `onChange` gets the whole new list.
 */
export function TagEditor({ id, label, tags, onChange, suggestions = [], busy = false }: {
  id: string;
  label: string;
  tags: string[];
  onChange: (tags: string[]) => void;
  suggestions?: string[];
  busy?: boolean;
}) {
  const { t } = useLocale();
  const [text, setText] = useState("");
  const full = tags.length >= maxTags;

  const commit = () => {
    const added = parseTags(text);
    setText("");
    if (added.length > 0) {
      onChange(addTags(tags, added));
    }
  };

  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      commit();
    } else if (event.key === "Backspace" && text === "" && tags.length > 0) {
      onChange(tags.slice(0, -1));
    }
  };

  return (
    <div className="tag-editor" data-testid="tag-editor">
      <label htmlFor={id}>{label}</label>
      {tags.length > 0 ? (
        <ul className="tag-chips" aria-label={label}>
          {tags.map((tag) => (
            <li key={tag} className="tag-chip" data-testid="tag-chip">
              <span>{tag}</span>
              <button type="button" className="chip-remove" disabled={busy} aria-label={t("gallery.tagRemove", { tag })} title={t("gallery.tagRemove", { tag })}
                onClick={() => onChange(tags.filter((x) => x !== tag))}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="tag-input-row">
        <input id={id} type="text" value={text} maxLength={200} disabled={busy || full} list={suggestions.length > 0 ? `${id}-suggestions` : undefined}
          placeholder={full ? t("gallery.tagsFull") : t("gallery.tagPlaceholder")} autoComplete="off"
          onChange={(e) => setText(e.target.value)} onKeyDown={onKey} />
        <button type="button" disabled={busy || full || parseTags(text).length === 0} onClick={commit}>{t("gallery.tagAdd")}</button>
      </div>
      {suggestions.length > 0 ? (
        <datalist id={`${id}-suggestions`}>
          {suggestions.filter((s) => !tags.includes(s)).slice(0, 50).map((s) => <option key={s} value={s} />)}
        </datalist>
      ) : null}
    </div>
  );
}
