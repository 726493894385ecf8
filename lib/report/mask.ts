/**
 * The one way this lab hides secrets: subscription keys, bearer tokens, management
 * tokens and debug tokens. Real APIM traces carry them in clear text, and so do
 * headers, settings and some error messages, so everything that is printed, shown
 * or saved goes through `mask` first.
 */

/** Names (of headers, JSON fields, settings) whose values are secrets. */
const SECRET_NAME =
  /^(api-?key|ocp-apim-subscription-key|authorization|proxy-authorization|apim-debug-authorization|cookie|set-cookie|x-functions-key)$|(subscription-?key|access-?token|management-?token|debug-?token|secret|password|signing-?key)$|^(token|key)$/i;

/** Secret-looking pieces inside free text: bearer tokens, `api-key: ...`, SAS signatures. */
const SECRET_IN_TEXT = [
  /(\bBearer\s+)([A-Za-z0-9\-._~+/]+=*)/gi,
  /(\b(?:api-key|ocp-apim-subscription-key|apim-debug-authorization)["']?\s*[:=]\s*["']?)([^\s"',;]+)/gi,
  /([?&](?:sig|subscription-key|api-key)=)([^&\s"']+)/gi,
];

/**
 * Secrets seen so far. Kept on `globalThis` because a notebook kernel may load this
 * module more than once (the kernel's copy and the runner's copy must agree).
 */
const KNOWN_KEY = Symbol.for("apim-streaming-lab.secrets");
const globals = globalThis as unknown as Record<symbol, Set<string> | undefined>;
const known: Set<string> = globals[KNOWN_KEY] ?? (globals[KNOWN_KEY] = new Set<string>());

/** Every secret registered in this process (for leak scans in tests). */
export function knownSecrets(): string[] {
  return [...known];
}

/** Remembers a secret value so that it is masked wherever it later appears in text. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) known.add(value);
}

/** `abcd…` becomes `***wxyz`: enough to tell two keys apart, never enough to use one. */
export function maskSecret(value: string): string {
  if (value.length <= 8) return "***";
  return "***" + value.slice(-4);
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/_/g, "-"));
}

function maskText(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(maskSecret(secret));
  }
  for (const pattern of SECRET_IN_TEXT) {
    out = out.replace(pattern, (_m, prefix: string, secret: string) =>
      secret.startsWith("***") ? prefix + secret : prefix + maskSecret(secret),
    );
  }
  return out;
}

function isNameValue(x: unknown): x is { name: string; value: unknown } {
  return typeof x === "object" && x !== null && typeof (x as { name?: unknown }).name === "string" && "value" in x;
}

/**
 * Returns a copy of `value` with every secret masked. Understands strings, errors,
 * `Headers`, APIM's `[{ name, value }]` header lists, arrays and plain objects
 * (by field name). The input is never changed.
 */
export function mask<T>(value: T): T {
  return maskAny(value, 0) as T;
}

function maskAny(value: unknown, depth: number): unknown {
  if (depth > 50) return value;
  if (typeof value === "string") return maskText(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const copy = new Error(maskText(value.message));
    copy.name = value.name;
    return copy;
  }
  if (typeof (value as { forEach?: unknown }).forEach === "function" && typeof (value as { get?: unknown }).get === "function" && !(value instanceof Map)) {
    // A fetch Headers object (global, node-fetch or the SDK's): becomes a plain record.
    const out: Record<string, string> = {};
    (value as { forEach(cb: (v: string, k: string) => void): void }).forEach((v, k) => {
      out[k] = isSecretName(k) ? maskSecret(v) : maskText(v);
    });
    return out;
  }
  if (Array.isArray(value)) {
    return value.map((item) => {
      if (isNameValue(item) && isSecretName(item.name)) {
        return { ...item, value: maskValue(item.value) };
      }
      return maskAny(item, depth + 1);
    });
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretName(k) ? maskValue(v) : maskAny(v, depth + 1);
  }
  return out;
}

function maskValue(v: unknown): unknown {
  if (typeof v === "string") return maskSecret(v.replace(/^Bearer\s+/i, ""));
  if (Array.isArray(v)) return v.map(maskValue);
  if (v && typeof v === "object" && "value" in v) return { ...(v as object), value: maskValue((v as { value: unknown }).value) };
  return v;
}
