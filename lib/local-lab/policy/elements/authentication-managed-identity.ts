/**
 * `authentication-managed-identity` (learn.microsoft.com/azure/api-management/authentication-managed-identity-policy).
 * The lab's "token" is the gateway's own credential for its backend (never the caller's
 * key). With `output-token-variable-name` it goes into that variable; without, into the
 * backend request's Authorization header as a Bearer token, as APIM does.
 */
import type { PolicyModule } from "../types";
import { text } from "../expression/evaluate";
import { managedIdentityToken } from "../../trace/entries";

export const authenticationManagedIdentity: PolicyModule = {
  names: ["authentication-managed-identity"],
  sections: ["inbound"],
  compile(el, c) {
    const resource = c.value(el, "resource", { required: true })!;
    const variable = c.literal(el, "output-token-variable-name");
    c.literal(el, "client-id");
    c.literal(el, "ignore-error", { choices: ["true", "false"] });
    return {
      name: "authentication-managed-identity",
      run(ctx) {
        const token = ctx.call.config.backendAuthorization.replace(/^Bearer /, "");
        if (variable !== undefined) ctx.variables.set(variable, token);
        else ctx.call.backendHeaders["authorization"] = `Bearer ${token}`;
        ctx.trace("authentication-managed-identity", () => managedIdentityToken(text(resource.get(ctx)), variable));
      },
    };
  },
};
