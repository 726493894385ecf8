/**
 * `<base />`: where the enclosing scope's policies run. The lab has one scope above an
 * API's, the global one, holding APIM's default global policy: nothing, except in
 * `<backend>`, where it is a bare `<forward-request />` (buffer-response defaults to true).
 * So a document whose backend holds only `<base />` buffers, as it would in APIM.
 */
import type { Policy } from "../types";
import { forwardRequest } from "./forward-request";

export const basePolicy: Policy = { name: "base", run: () => undefined };

/** The default global policy's `<backend><forward-request /></backend>`. */
export const globalBackend: Policy = forwardRequest({ bufferResponse: true });
