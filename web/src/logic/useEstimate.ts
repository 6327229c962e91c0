import { useEffect, useState } from "react";

import type { GenerationRequest } from "../api/types";
import { useServices } from "../services";
import type { EstimateState } from "./cost";

/** The price of the request as it stands, asked a moment after the user stops typing. */
export function useEstimate(request: GenerationRequest | null, delayMs = 300): EstimateState {
  const { api } = useServices();
  const [state, setState] = useState<EstimateState>({ state: "idle" });
  const key = request === null ? null : JSON.stringify(request);

  useEffect(() => {
    if (key === null) {
      setState({ state: "idle" });
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ state: "loading", previous: previous.state === "ready" ? previous.estimate : previous.state === "loading" ? previous.previous : null }));
    const timer = setTimeout(() => {
      api.estimate(JSON.parse(key) as GenerationRequest, controller.signal)
        .then((estimate) => setState({ state: "ready", estimate }))
        .catch((error: unknown) => {
          if (!(error instanceof DOMException && error.name === "AbortError")) {
            setState({ state: "failed" });
          }
        });
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, key, delayMs]);

  return state;
}
