import { describe, expect, it } from "vitest";

import { problemText } from "../logic/problemText";
import { parseRetryAfter, readProblem, toProblem } from "./problem";

function response(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

describe("problem parsing", () => {
  it("reads the code, the field errors (camelCase) and the extensions", async () => {
    const problem = await readProblem(response(400, {
      title: "The request is not valid.", status: 400, code: "validation_failed",
      errors: { Steps: ["Steps must be between 1 and 150."], prompt: ["Required."], bad: "not a list" },
    }));
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors).toEqual({ steps: ["Steps must be between 1 and 150."], prompt: ["Required."] });
  });

  it("keeps what 402 and 403 answers add", async () => {
    const credits = await readProblem(response(402, { code: "insufficient_credits", needed: 64, balance: 36 }));
    expect([credits.needed, credits.balance]).toEqual([64, 36]);
    const feature = await readProblem(response(403, { code: "plan_forbids_feature", feature: "canvas" }));
    expect(feature.feature).toBe("canvas");
  });

  it("reads Retry-After as seconds or as an HTTP date", async () => {
    expect((await readProblem(response(429, { code: "rate_limited" }, { "Retry-After": "30" }))).retryAfterSeconds).toBe(30);
    expect(parseRetryAfter("Wed, 02 Dec 2026 04:00:10 GMT", new Date("2026-12-02T04:00:00Z"))).toBe(10);
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it("still gives a code when the body is not a problem", async () => {
    const problem = await readProblem(new Response("<html>bad gateway</html>", { status: 502 }));
    expect(problem).toMatchObject({ status: 502, code: "http_502", errors: {} });
  });
});

describe("friendly problem text", () => {
  it("402 says what is needed and links to the plans", () => {
    const text = problemText("en", toProblem(402, { code: "insufficient_credits", needed: 64, balance: 36 }));
    expect(text).toEqual({ text: "Not enough credits: this needs 64 credits and you have 36 credits.", link: "pricing" });
  });

  it("403 names the plan that unlocks the model or feature", () => {
    expect(problemText("en", toProblem(403, { code: "plan_forbids_model" }), { unlockingPlan: "Pro" }).text).toBe("This model comes with the Pro plan.");
    expect(problemText("ko", toProblem(403, { code: "plan_forbids_feature", feature: "upscale" })).text).toBe("Starter 요금제 이상에서 사용할 수 있는 기능이에요.");
  });

  it("429 says when to retry", () => {
    expect(problemText("en", toProblem(429, { code: "rate_limited" }, "12")).text).toBe("Too many requests. Try again in 12 s.");
    expect(problemText("en", toProblem(429, { code: "queue_limit" })).text).toBe("You have many jobs waiting. Let some finish first.");
  });

  it("an unknown code gets the generic message, never raw server text", () => {
    expect(problemText("ko", toProblem(500, { code: "internal_error", detail: "NullReference" })).text).toBe("문제가 생겼어요. 잠시 후 다시 시도해 주세요.");
  });
});
