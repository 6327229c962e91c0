import { ConnectionError, PingvasError } from "./errors.js";
import type { CallOptions, Transport } from "./http.js";
import type { OperationId } from "./operations.js";
import { backoffMs } from "./retry.js";
import { readServerSentEvents } from "./sse.js";
import { terminalStatuses, type Generation, type GenerationEvent } from "./types.js";

export interface StreamOptions extends CallOptions {
  /** Resume after this cursor (a previous event's `id`), as `Last-Event-ID`. */
  lastEventId?: string;
}

/**
 * The `generation` events of an SSE route, reconnecting with `Last-Event-ID` when the stream drops
 * (the server then replays the current state, so nothing final is missed). With `untilTerminal` it
 * ends after a final state; otherwise only when the caller stops or aborts. Gives up after
 * `maxRetries` drops in a row without an event.
 */
export async function* generationEvents(
  transport: Transport,
  operation: OperationId,
  params: Record<string, string>,
  untilTerminal: boolean,
  idleTimeoutMs: number,
  options: StreamOptions = {},
): AsyncGenerator<GenerationEvent, void, undefined> {
  const { signal } = options;
  const retry = transport.options.retry;
  let lastEventId = options.lastEventId;
  let drops = 0;
  while (true) {
    // Our own controller: leaving the loop (break, return, an error) closes this connection.
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener("abort", onAbort, { once: true });
    let dropped: unknown;
    try {
      const response = await transport.stream(operation, {
        params,
        accept: "text/event-stream",
        headers: lastEventId ? { "Last-Event-ID": lastEventId } : {},
        signal: controller.signal,
      });
      if (response.body === null) throw new ConnectionError(`${operation}: the answer has no body.`);
      try {
        for await (const event of readServerSentEvents(response.body, { idleTimeoutMs })) {
          if (event.event !== "generation") continue;
          if (event.id) lastEventId = event.id;
          const generation = JSON.parse(event.data) as Generation;
          drops = 0;
          yield { id: event.id, generation };
          if (untilTerminal && terminalStatuses.has(generation.status)) return;
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof SyntaxError) throw error;
        dropped = error;
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // The transport already retried what it could; a refusal (404, 401…) is final.
      if (!(error instanceof ConnectionError)) throw error;
      dropped = error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      controller.abort();
    }

    // The stream ended or dropped without a final state: resume after the last cursor.
    drops++;
    if (drops > retry.maxRetries) {
      throw dropped instanceof PingvasError
        ? dropped
        : new ConnectionError(`${operation}: the event stream dropped ${drops} times in a row.`, dropped);
    }
    await retry.sleep(backoffMs(drops - 1, retry), signal);
  }
}
