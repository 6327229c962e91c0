// @vitest-environment happy-dom
// Sign-in with Google / Discord in the web app: the buttons, and /signin/external trading its code.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import { calls, me, overrides, render, resetApp, settle } from "./testing/fakeApp";

afterEach(resetApp);

const session = { accessToken: "x.y.z", refreshToken: "fresh", expiresIn: 900, user: me };

describe("provider buttons", () => {
  it("show the configured providers on sign-in and sign-up, carrying ?next= as the return path", async () => {
    overrides.set("GET /auth/providers", () => ({ status: 200, body: ["google", "discord"] }));
    const page = await render("/signin?next=%2Fgallery", false);
    await settle(page, 20);
    const links = [...page.querySelectorAll<HTMLAnchorElement>("a.provider")].map((a) => [a.textContent, a.getAttribute("href")]);
    expect(links).toEqual([
      ["GSign in with Google", "/api/v1/auth/external/google?returnUrl=%2Fgallery"],
      ["DSign in with Discord", "/api/v1/auth/external/discord?returnUrl=%2Fgallery"],
    ]);
    resetApp();

    overrides.set("GET /auth/providers", () => ({ status: 200, body: ["google"] }));
    const signUp = await render("/signup", false, "ko");
    expect([...signUp.querySelectorAll("a.provider")].map((a) => a.textContent)).toEqual(["GGoogle로 로그인"]);
  });

  it("are absent when no provider is configured", async () => {
    overrides.set("GET /auth/providers", () => ({ status: 200, body: [] }));
    const page = await render("/signin", false);
    expect(page.querySelector("a.provider")).toBeNull();
    expect(page.textContent).not.toContain("Sign in with Google");
  });
});

describe("/signin/external", () => {
  it("trades the code once, stores the session like a password sign-in and opens the return path", async () => {
    overrides.set("POST /auth/external/exchange", () => ({ status: 200, body: session }));
    await render("/signin/external?code=abc&returnUrl=%2Fgallery", false);
    const exchanges = calls.filter((c) => c.path === "/auth/external/exchange");
    expect(exchanges.map((c) => c.body)).toEqual([{ code: "abc" }]);
    expect(JSON.parse(localStorage.getItem("pingvas.session")!)).toEqual({ accessToken: "x.y.z", refreshToken: "fresh" });
    expect(location.pathname).toBe("/gallery");
  });

  it("never follows a return path to another site", async () => {
    overrides.set("POST /auth/external/exchange", () => ({ status: 200, body: session }));
    await render("/signin/external?code=abc&returnUrl=%2F%2Fevil.example", false);
    expect(location.pathname).toBe("/generate");
  });

  it("asks a two-step account for its code, then signs in", async () => {
    overrides.set("POST /auth/external/exchange", () => ({ status: 401, body: { code: "totp_required", status: 401, title: "t", challengeToken: "ch" } }));
    overrides.set("POST /auth/login/totp", () => ({ status: 200, body: session }));
    const page = await render("/signin/external?code=abc", false);
    expect(page.textContent).toContain("Two-step sign-in");
    expect(location.search).not.toContain("abc");

    const input = page.querySelector<HTMLInputElement>("#totp-code")!;
    await act(async () => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, "123456");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await act(async () => page.querySelector<HTMLFormElement>("form")!.requestSubmit());
    await settle(page);
    expect(calls.find((c) => c.path === "/auth/login/totp")?.body).toEqual({ challengeToken: "ch", code: "123456" });
    expect(location.pathname).toBe("/generate");
  });

  it.each([
    ["en", "?error=account_unverified", "An account with this email address exists but has not verified it."],
    ["en", "?error=access_denied", "The sign-in was cancelled at the provider."],
    ["en", "?error=something_new", "The sign-in could not be completed."],
    ["ko", "?error=email_unverified", "제공자 계정의 이메일 주소가 아직 인증되지 않았습니다."],
    ["ko", "", "로그인이 너무 오래 걸렸거나"],
  ])("explains an error (%s %s)", async (locale, query, text) => {
    const page = await render(`/signin/external${query}`, false, locale);
    expect(page.querySelector("[role=alert]")?.textContent).toContain(text);
    expect(calls.some((c) => c.path === "/auth/external/exchange")).toBe(false);
  });

  it("explains a code that is used or expired", async () => {
    overrides.set("POST /auth/external/exchange", () => ({ status: 400, body: { code: "invalid_exchange_code", status: 400, title: "t" } }));
    const page = await render("/signin/external?code=old", false, "ko");
    expect(page.querySelector("[role=alert]")?.textContent).toBe("로그인 시간이 지났습니다. 다시 로그인해 주세요.");
  });
});
