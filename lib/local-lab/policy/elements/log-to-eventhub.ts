/**
 * `log-to-eventhub` (learn.microsoft.com/azure/api-management/log-to-eventhub-policy). The
 * lab has no Event Hub: the event goes into the trace instead. A message that reads the
 * response body makes the engine buffer it first, which is why Microsoft's SSE guidance
 * says not to log bodies of streamed APIs.
 */
import type { PolicyModule } from "../types";
import { text } from "../expression/evaluate";

/** APIM truncates a larger message to 200 KB; the lab keeps the first 2 KB in the trace. */
const TRACE_BYTES = 2048;

export const logToEventhub: PolicyModule = {
  names: ["log-to-eventhub"],
  sections: ["inbound", "outbound", "backend", "on-error"],
  compile(el, c) {
    const loggerId = c.literal(el, "logger-id", { required: true })!;
    const partitionId = c.literal(el, "partition-id");
    const partitionKey = c.value(el, "partition-key");
    if (partitionId !== undefined && partitionKey !== undefined) c.fail(el, "use either 'partition-id' or 'partition-key', not both");
    const message = c.text(el);
    return {
      name: "log-to-eventhub",
      readsResponseBody: message.expression?.readsResponseBody || partitionKey?.expression?.readsResponseBody,
      run(ctx) {
        const logged = text(message.get(ctx));
        const key = partitionKey === undefined ? undefined : text(partitionKey.get(ctx));
        ctx.trace("log-to-eventhub", () => ({
          message: `The event was recorded here instead of being sent to the logger '${loggerId}' (the lab has no Event Hub).`,
          partitionId,
          partitionKey: key,
          bytes: Buffer.byteLength(logged),
          event: logged.length > TRACE_BYTES ? logged.slice(0, TRACE_BYTES) + "…" : logged,
        }));
      },
    };
  },
};
