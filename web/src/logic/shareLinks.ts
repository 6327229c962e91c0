// Share links without React: the create form → request body, and how a link's views read.
import type { CreateShareBody, ShareTarget } from "../api/types";

export type ShareExpiry = "never" | "day" | "week" | "month";

export const shareExpiries: readonly ShareExpiry[] = ["never", "day", "week", "month"];

const expiryDays: Record<ShareExpiry, number | null> = { never: null, day: 1, week: 7, month: 30 };

export interface ShareForm {
  password: string;
  expiry: ShareExpiry;
  /** As typed; empty means no limit. */
  maxViews: string;
}

export const emptyShareForm: ShareForm = { password: "", expiry: "never", maxViews: "" };

/** The body of `POST /shares`; empty fields are left out (no password, no expiry, no limit). */
export function shareBody(target: ShareTarget, form: ShareForm, now: Date = new Date()): CreateShareBody {
  const body: CreateShareBody = { ...target };
  if (form.password !== "") {
    body.password = form.password;
  }
  const days = expiryDays[form.expiry];
  if (days !== null) {
    body.expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
  }
  const views = form.maxViews.trim();
  if (views !== "") {
    body.maxViews = Number(views);
  }
  return body;
}

/** The target as the list filter sees it, for query keys. */
export function targetKey(target: ShareTarget): string {
  return "imageId" in target ? `image:${target.imageId}` : `folder:${target.folderId}`;
}
