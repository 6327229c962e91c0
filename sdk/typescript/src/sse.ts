/** One dispatched Server-Sent Event (WHATWG HTML "event stream interpretation"). */
export interface ServerSentEvent {
  /** The last event id seen on the stream so far ("" when none): what `Last-Event-ID` resumes from. */
  id: string;
  /** The `event:` field, `message` when absent. */
  event: string;
  data: string;
  /** A `retry:` field given with this event (milliseconds). */
  retry?: number;
}

/**
 * The event-stream grammar, fed text as it arrives: lines end in CRLF, LF or CR (a CR at the end of
 * a chunk waits for the next one, which may start with its LF); comments (`:`) are skipped; `data:`
 * lines join with LF; a blank line dispatches; an event with no data is dropped.
 */
export class EventStreamParser {
  private buffer = "";
  private lastEventId = "";
  private eventType = "";
  private data: string[] = [];
  private retry: number | undefined;

  /** The events completed by `text`. */
  push(text: string): ServerSentEvent[] {
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    let start = 0;
    while (start < this.buffer.length) {
      const lf = this.buffer.indexOf("\n", start);
      const cr = this.buffer.indexOf("\r", start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR last in the buffer may be the first half of CRLF: wait for more.
        if (cr === this.buffer.length - 1) break;
        end = cr;
        next = this.buffer[cr + 1] === "\n" ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      const event = this.line(this.buffer.slice(start, end));
      if (event) events.push(event);
      start = next;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** The stream ended: a lone CR still counts as a line end; an event without its blank line is dropped, as the spec says. */
  end(): ServerSentEvent[] {
    const events = this.buffer.endsWith("\r") ? this.push("\n") : [];
    this.buffer = "";
    this.data = [];
    this.eventType = "";
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const event: ServerSentEvent | undefined =
      this.data.length === 0
        ? undefined
        : { id: this.lastEventId, event: this.eventType || "message", data: this.data.join("\n"), ...(this.retry === undefined ? {} : { retry: this.retry }) };
    this.data = [];
    this.eventType = "";
    this.retry = undefined;
    return event;
  }
}

/** Raised when a stream sends nothing, not even a keep-alive comment, for longer than allowed. */
export class StreamIdleError extends Error {
  constructor(ms: number) {
    super(`The event stream sent nothing for ${ms} ms.`);
    this.name = "StreamIdleError";
  }
}

/**
 * The events of a `text/event-stream` body, read with a reader (browsers and Node alike). Stopping
 * the iteration cancels the body. With `idleTimeoutMs`, a silent stream fails with {@link StreamIdleError}.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  options: { idleTimeoutMs?: number } = {},
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  // The decoder drops a leading BOM and keeps multi-byte characters split across chunks whole.
  const decoder = new TextDecoder("utf-8");
  const parser = new EventStreamParser();
  try {
    while (true) {
      const { done, value } = await readWithin(reader, options.idleTimeoutMs);
      if (done) {
        yield* parser.push(decoder.decode());
        yield* parser.end();
        return;
      }
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number | undefined,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  if (ms === undefined) return reader.read();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StreamIdleError(ms)), ms);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    clearTimeout(timer);
  }
}
