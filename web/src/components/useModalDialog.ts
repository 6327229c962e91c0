import { useEffect, useRef } from "react";

/**
 * A <dialog> shown as a modal while `open`: focus moves in, Escape is the dialog's own, and focus
 * returns to the element that opened it. Shared by every dialog of the app.
 */
export function useModalDialog(open: boolean) {
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element === null) {
      return;
    }
    if (open && !element.open) {
      const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      if (typeof element.showModal === "function") {
        element.showModal();
      } else {
        element.setAttribute("open", "");
      }
      return () => opener?.focus();
    }
    if (!open && element.open) {
      element.close();
    }
  }, [open]);

  return dialog;
}
