// Gallery tags as the server stores them (Core GalleryText.Tag), so chips show what will be saved.
export const maxTagLength = 40;
export const maxTags = 20;

/** Full-width ASCII folded, lower-case, inner whitespace collapsed, trimmed. */
export function normaliseTag(raw: string): string {
  const folded = [...raw].map((c) => {
    const code = c.charCodeAt(0);
    return code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0) : c;
  }).join("");
  return folded.toLowerCase().replace(/\s+/g, " ").trim();
}

/** Tags typed into a box: split on commas, normalised; empty and too long ones dropped. */
export function parseTags(text: string): string[] {
  return text.split(/[,，]/).map(normaliseTag).filter((t) => t.length > 0 && t.length <= maxTagLength);
}

/** Adds tags (sorted, without duplicates, at most `maxTags`). */
export function addTags(current: string[], added: string[]): string[] {
  const all = [...new Set([...current, ...added.map(normaliseTag).filter((t) => t !== "")])].sort();
  return all.slice(0, maxTags);
}
