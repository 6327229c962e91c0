import { describe, expect, it } from "vitest";

import { parameterValue } from "./parameterValue";

const names = (id: string) => (id === "sd-1.5" ? "Stable Diffusion 1.5" : undefined);

describe("parameterValue", () => {
  it("names the kind in the user's language", () => {
    expect(parameterValue("en", "kind", "txt2img", names)).toBe("Text to image");
    expect(parameterValue("ko", "kind", "inpaint", names)).toBe("인페인팅");
    expect(parameterValue("ko", "kind", "something-new", names)).toBe("something-new");
    expect(parameterValue("ko", "kind", "workflow", names)).toBe("워크플로");
  });

  it("shows a model by its name, an unknown one by its id", () => {
    expect(parameterValue("en", "model", "sd-1.5", names)).toBe("Stable Diffusion 1.5");
    expect(parameterValue("en", "model", "retired-model", names)).toBe("retired-model");
  });

  it("counts the place in the batch from 1", () => {
    expect(parameterValue("en", "batchIndex", "0", names)).toBe("1");
    expect(parameterValue("en", "steps", "20", names)).toBe("20");
  });
});
