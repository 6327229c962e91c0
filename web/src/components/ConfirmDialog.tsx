import type { ReactNode } from "react";

import { useLocale } from "../i18n/LocaleContext";
import { useModalDialog } from "./useModalDialog";

/**
 * A modal question with a confirm and a cancel button. The native <dialog> moves focus into it,
 * keeps it there and closes on Escape; focus returns to the button that opened it.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, danger = false, busy = false, onConfirm, onClose }: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useLocale();
  const dialog = useModalDialog(open);

  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby="confirm-dialog-title"
      onCancel={(e) => { e.preventDefault(); onClose(); }}
    >
      {open ? (
        <form method="dialog" onSubmit={(e) => { e.preventDefault(); onConfirm(); }}>
          <h2 id="confirm-dialog-title">{title}</h2>
          {children}
          <div className="actions dialog-actions">
            <button type="button" onClick={onClose} autoFocus>{t("common.cancel")}</button>
            <button type="submit" className={danger ? "primary danger-fill" : "primary"} disabled={busy}>{confirmLabel}</button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
