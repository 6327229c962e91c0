// Shared by the issue 11 page tests: plans with the new features, signing in on one, and driving inputs.
import { act } from "react";
import { expect } from "vitest";

import type { Plan } from "../api/types";
import { me, overrides, plans, render, settle } from "./fakeApp";

export const allPlans: Plan[] = [
  { ...plans[0], features: ["generate"] },
  { ...plans[1], features: ["generate", "canvas", "upscale", "workflows"] },
  { ...plans[1], id: "pro", name: "Pro", features: ["generate", "canvas", "upscale", "workflows", "loras", "control"] },
];

export function signedInAs(plan: "free" | "starter" | "pro", role = "user") {
  const p = allPlans.find((x) => x.id === plan)!;
  overrides.set("GET /plans", () => ({ status: 200, body: allPlans }));
  overrides.set("GET /me", () => ({ status: 200, body: { ...me, role, totpEnabled: true, plan: { ...me.plan, id: p.id, name: p.name } } }));
}

export async function type(page: HTMLElement, selector: string, value: string) {
  const input = page.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector);
  if (!input) throw new Error(`no ${selector}`);
  const proto = input instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, "value")!.set!.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

export async function choose(page: HTMLElement, selector: string, value: string) {
  const select = page.querySelector<HTMLSelectElement>(selector)!;
  await act(async () => {
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

export function button(page: HTMLElement, name: string): HTMLButtonElement {
  const found = [...page.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent?.trim() === name || b.getAttribute("aria-label") === name);
  if (!found) throw new Error(`no button "${name}" in: ${page.textContent}`);
  return found;
}

export async function click(page: HTMLElement, name: string) {
  await act(async () => button(page, name).click());
  await settle(page);
}

export async function pickFile(input: HTMLInputElement, file: File) {
  await act(async () => {
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

/** Renders and waits for the page's lazily loaded chunk (its heading) and its data. */
export async function open(path: string, signedIn: boolean, locale = "en") {
  const page = await render(path, signedIn, locale);
  await until(page, () => page.querySelector("main h1") !== null && !/Loading|불러오는 중/.test(page.textContent ?? ""));
  if (path === "/generate") {
    await until(page, () => page.querySelector("details.addon-section") !== null);
  }
  return page;
}

/** Waits (bounded) until the condition holds: the estimate is asked 300 ms after the last change. */
export async function until(page: HTMLElement, condition: () => boolean) {
  for (let i = 0; i < 100 && !condition(); i++) {
    await settle(page, 1);
  }
  expect(condition()).toBe(true);
}

