import { useEffect, useRef, type KeyboardEvent } from "react";

import type { Folder } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { folderTree } from "../../logic/folders";

/**
 * "Move to folder": a native modal <dialog> holding one button per destination (the root, then the
 * folder tree). Arrow keys, Home and End move between them, Enter or Space picks one, Escape closes;
 * focus starts on the current folder and returns to the opener.
 */
export function MoveDialog({ open, count, folders, current, onMove, onClose }: {
  open: boolean;
  count: number;
  folders: Folder[];
  /** The folder the images are in now when they share one ("" for mixed or unknown, "root" for the root). */
  current: string;
  onMove: (folderId: string | null) => void;
  onClose: () => void;
}) {
  const { t } = useLocale();
  const dialog = useRef<HTMLDialogElement>(null);
  const list = useRef<HTMLUListElement>(null);

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
      const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>("button") ?? [])];
      (buttons.find((b) => b.dataset.folder === current) ?? buttons[0])?.focus();
      return () => opener?.focus();
    }
    if (!open && element.open) {
      element.close();
    }
  }, [open, current]);

  const onKey = (event: KeyboardEvent<HTMLUListElement>) => {
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>("button") ?? [])];
    const index = buttons.findIndex((b) => b === document.activeElement);
    const next = event.key === "ArrowDown" ? index + 1
      : event.key === "ArrowUp" ? index - 1
      : event.key === "Home" ? 0
      : event.key === "End" ? buttons.length - 1
      : null;
    if (next !== null && buttons.length > 0) {
      event.preventDefault();
      buttons[Math.min(buttons.length - 1, Math.max(0, next))].focus();
    }
  };

  const tree = folderTree(folders);
  return (
    <dialog ref={dialog} className="confirm-dialog move-dialog" aria-labelledby="move-dialog-title" data-testid="move-dialog"
      onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {open ? (
        <>
          <h2 id="move-dialog-title">{t("gallery.moveTitle", { count })}</h2>
          <p className="hint">{t("gallery.moveHint")}</p>
          <ul className="move-list" ref={list} onKeyDown={onKey}>
            <li>
              <button type="button" data-folder="root" aria-current={current === "root" ? "true" : undefined} onClick={() => onMove(null)}>
                {t("gallery.root")}
              </button>
            </li>
            {tree.map(({ folder, depth }) => (
              <li key={folder.id}>
                <button type="button" data-folder={folder.id} className={depth > 0 ? "nested" : undefined}
                  aria-current={current === folder.id ? "true" : undefined} onClick={() => onMove(folder.id)}>
                  {folder.name}
                </button>
              </li>
            ))}
          </ul>
          <div className="actions dialog-actions">
            <button type="button" onClick={onClose}>{t("common.cancel")}</button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}
