// Keyboard use of the gallery grid: arrows move focus, shortcuts act on the selection (documented in KeyboardHelp).

/** The index focus moves to for a navigation key, or null when the key does not move it. Clamped to the grid. */
export function nextIndex(key: string, index: number, columns: number, count: number): number | null {
  if (count === 0) {
    return null;
  }
  const cols = Math.max(1, columns);
  const target = key === "ArrowRight" ? index + 1
    : key === "ArrowLeft" ? index - 1
    : key === "ArrowDown" ? index + cols
    : key === "ArrowUp" ? index - cols
    : key === "Home" ? 0
    : key === "End" ? count - 1
    : null;
  if (target === null) {
    return null;
  }
  // Down from the last row stays put rather than jumping to the last image of a shorter row.
  if (key === "ArrowDown" && target > count - 1) {
    return index;
  }
  return Math.min(count - 1, Math.max(0, target));
}

export type GridAction = "toggle" | "open" | "move" | "trash" | "star" | "selectAll" | "clear" | "help";

/** The shortcut a key press means on a grid image (modifiers other than ctrl/meta+a are left to the browser). */
export function gridAction(event: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): GridAction | null {
  if (event.altKey) {
    return null;
  }
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "a") {
    return "selectAll";
  }
  if (event.ctrlKey || event.metaKey) {
    return null;
  }
  switch (event.key) {
    case " ":
    case "Enter":
      return "toggle";
    case "o":
    case "O":
      return "open";
    case "m":
    case "M":
      return "move";
    case "Delete":
    case "Backspace":
      return "trash";
    case "s":
    case "S":
      return "star";
    case "Escape":
      return "clear";
    case "?":
      return "help";
    default:
      return null;
  }
}

/** Columns of a CSS grid from its items' positions: how many share the first item's top. */
export function columnsOf(tops: number[]): number {
  if (tops.length === 0) {
    return 1;
  }
  const first = tops[0];
  const same = tops.findIndex((top) => Math.abs(top - first) > 2);
  return same < 0 ? tops.length : same;
}
