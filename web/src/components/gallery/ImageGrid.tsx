import { useRef, type DragEvent, type KeyboardEvent, type MouseEvent } from "react";

import type { GalleryImage } from "../../api/types";
import { formatDateTime } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { imageDragType } from "../../logic/folders";
import { columnsOf, gridAction, nextIndex, type GridAction } from "../../logic/gridKeys";
import { extendTo, noSelection, toggle, type Selection } from "../../logic/selection";
import { navigate } from "../../router";

/**
 * The thumbnails. A click opens an image, or toggles it while something is selected (in the trash it
 * always toggles); ctrl/⌘-click and the checkbox toggle, shift-click selects a range. Keyboard: a
 * roving tab stop moved by the arrows (shift extends the selection), shortcuts from logic/gridKeys.
 * Dragging an image drags the selection it belongs to (or itself) onto a folder in the sidebar.
 */
export function ImageGrid({ images, selection, focusedId, trash, onSelection, onFocus, onAction }: {
  images: GalleryImage[];
  selection: Selection;
  focusedId: string | null;
  trash: boolean;
  onSelection: (selection: Selection) => void;
  onFocus: (id: string) => void;
  onAction: (action: Extract<GridAction, "move" | "trash" | "star" | "help">, id: string) => void;
}) {
  const { t, locale } = useLocale();
  const grid = useRef<HTMLUListElement>(null);
  const order = images.map((i) => i.id);
  const tabStop = focusedId !== null && order.includes(focusedId) ? focusedId : order[0] ?? null;

  const focusAt = (index: number) => {
    grid.current?.querySelectorAll<HTMLAnchorElement>("a.gallery-item")[index]?.focus();
  };

  const click = (event: MouseEvent, id: string) => {
    if (event.shiftKey) {
      event.preventDefault();
      onSelection(extendTo(selection, order, id));
    } else if (event.ctrlKey || event.metaKey || trash || selection.ids.length > 0) {
      event.preventDefault();
      onSelection(toggle(selection, id));
    } else {
      event.preventDefault();
      navigate(`/gallery/${id}`);
    }
  };

  const key = (event: KeyboardEvent, index: number, id: string) => {
    const tops = [...(grid.current?.children ?? [])].map((li) => (li as HTMLElement).offsetTop);
    const next = nextIndex(event.key, index, columnsOf(tops), order.length);
    if (next !== null && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      if (event.shiftKey) {
        const anchored = selection.anchor === null ? { ...selection, anchor: id } : selection;
        onSelection(extendTo(anchored, order, order[next]));
      }
      focusAt(next);
      return;
    }
    const action = gridAction(event);
    if (action === null) {
      return;
    }
    event.preventDefault();
    if (action === "toggle") {
      onSelection(toggle(selection, id));
    } else if (action === "selectAll") {
      onSelection({ ids: order, anchor: id });
    } else if (action === "clear") {
      onSelection(noSelection);
    } else if (action === "open") {
      if (!trash) {
        navigate(`/gallery/${id}`);
      }
    } else {
      onAction(action, id);
    }
  };

  const dragStart = (event: DragEvent, id: string) => {
    const ids = selection.ids.includes(id) ? selection.ids : [id];
    event.dataTransfer.setData(imageDragType, JSON.stringify(ids));
    event.dataTransfer.setData("text/plain", ids.join("\n"));
    event.dataTransfer.effectAllowed = "move";
  };

  return (
    <ul className="gallery-grid" ref={grid} aria-label={trash ? t("gallery.viewTrash") : t("gallery.title")} data-testid="gallery-grid">
      {images.map((image, index) => {
        const selected = selection.ids.includes(image.id);
        const label = image.prompt || t("gallery.imageAlt");
        return (
          <li key={image.id} className={selected ? "gallery-tile selected" : "gallery-tile"}>
            <a href={`/gallery/${image.id}`} className="gallery-item" data-testid="gallery-item" data-id={image.id} data-selected={selected ? "true" : "false"}
              data-starred={image.starred ? "true" : "false"} tabIndex={image.id === tabStop ? 0 : -1} draggable={!trash}
              aria-label={selected ? t("gallery.tileSelected", { prompt: label }) : label}
              onClick={(e) => click(e, image.id)} onKeyDown={(e) => key(e, index, image.id)} onFocus={() => onFocus(image.id)}
              onDragStart={(e) => dragStart(e, image.id)}>
              <img src={image.thumbnailUrl} alt={label} loading="lazy" decoding="async" draggable={false}
                width={256} height={Math.round((256 * image.height) / image.width)} />
              {image.starred ? <span className="star-badge" aria-hidden="true">★</span> : null}
            </a>
            <input type="checkbox" className="tile-check" tabIndex={-1} checked={selected} aria-label={t("gallery.selectImage", { prompt: label })}
              onChange={() => undefined}
              onClick={(e) => { e.stopPropagation(); onSelection(e.shiftKey ? extendTo(selection, order, image.id) : toggle(selection, image.id)); }} />
            {trash && image.purgeAt ? (
              <p className="purge-note" data-testid="purge-note">{t("gallery.purgesOn", { date: formatDateTime(locale, image.purgeAt) })}</p>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
