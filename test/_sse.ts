// Reads a live event stream (GET /api/events) for tests to wait on.
import { sleep } from "./_runtime.ts";

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Opens /api/events (with `query`, such as `?scoreboard=team`) and parses what arrives, for tests to wait on. */
export async function open(base: string, headers: Record<string, string> = {}, query = "") {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/events${query}`, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  let buffer = "";
  const reading = (async () => {
    try {
      for await (const chunk of res.body!) {
        buffer += new TextDecoder().decode(chunk);
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {};
          for (const line of block.split("\n")) {
            const [field, ...rest] = line.split(": ");
            const value = rest.join(": ");
            if (field === "") event.comment = value;
            else if (field === "id" || field === "event" || field === "data") event[field] = value;
          }
          // A block with only a retry field dispatches no event.
          if (event.event !== undefined || event.comment !== undefined) events.push(event);
        }
      }
    } catch {
      // Aborted.
    }
  })();
  return {
    res,
    events,
    /** Settles when the stream has ended, from either side. */
    ended: reading,
    /** Waits until an event matching `match` has arrived (or fails after `timeoutMs`, 3 s). */
    async wait(match: (e: SseEvent) => boolean, timeoutMs = 3000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such event among ${JSON.stringify(events)}`);
        await sleep(5);
      }
    },
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}
