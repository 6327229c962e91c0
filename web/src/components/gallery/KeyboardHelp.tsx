import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";

const keys: [string, MessageKey][] = [
  ["← → ↑ ↓", "gallery.keyArrows"],
  ["Shift + ← → ↑ ↓", "gallery.keyShiftArrows"],
  ["Space / Enter", "gallery.keySelect"],
  ["O", "gallery.keyOpen"],
  ["M", "gallery.keyMove"],
  ["S", "gallery.keyStar"],
  ["Delete", "gallery.keyTrash"],
  ["Ctrl + A", "gallery.keySelectAll"],
  ["Esc", "gallery.keyClear"],
];

/** The grid's keyboard shortcuts in a small popover (a native <details>: opens with a click, Enter or "?"). */
export function KeyboardHelp({ open, onToggle }: { open: boolean; onToggle: (open: boolean) => void }) {
  const { t } = useLocale();
  return (
    <details className="keyboard-help" open={open} onToggle={(e) => onToggle((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{t("gallery.keysTitle")}</summary>
      <dl>
        {keys.map(([key, label]) => (
          <div key={key}>
            <dt><kbd>{key}</kbd></dt>
            <dd>{t(label)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
