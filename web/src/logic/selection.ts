// Multi-select in the gallery grid: a click or Space toggles one image, shift extends a range from the anchor.
export interface Selection {
  /** Selected ids in the order they were selected. */
  ids: string[];
  /** The last image toggled on its own: where a shift-click range starts. */
  anchor: string | null;
}

export const noSelection: Selection = { ids: [], anchor: null };

export function toggle(selection: Selection, id: string): Selection {
  const ids = selection.ids.includes(id) ? selection.ids.filter((x) => x !== id) : [...selection.ids, id];
  return { ids, anchor: id };
}

/**
 * Selects every image between the anchor and `id` in grid order (both included), keeping what was
 * already selected; without an anchor (or when it has left the grid) it selects `id` alone.
 */
export function extendTo(selection: Selection, order: string[], id: string): Selection {
  const from = selection.anchor === null ? -1 : order.indexOf(selection.anchor);
  const to = order.indexOf(id);
  if (to < 0) {
    return selection;
  }
  if (from < 0) {
    return toggle(selection, id);
  }
  const range = order.slice(Math.min(from, to), Math.max(from, to) + 1);
  const ids = [...selection.ids, ...range.filter((x) => !selection.ids.includes(x))];
  return { ids, anchor: selection.anchor };
}

/** Drops ids no longer shown (moved out of the view, trashed, restored). */
export function keepShown(selection: Selection, order: string[]): Selection {
  const shown = new Set(order);
  const ids = selection.ids.filter((id) => shown.has(id));
  return ids.length === selection.ids.length ? selection : { ids, anchor: selection.anchor !== null && shown.has(selection.anchor) ? selection.anchor : null };
}

/** What an action (move, star, trash) applies to: the selection, or else the focused image. */
export function targets(selection: Selection, focused: string | null): string[] {
  return selection.ids.length > 0 ? selection.ids : focused === null ? [] : [focused];
}
