/**
 * `set-backend-service` (learn.microsoft.com/azure/api-management/set-backend-service-policy).
 * The lab has one backend, so any `backend-id` names it (the AI-Gateway labs write the id
 * Bicep fills in); `base-url` is taken as given.
 */
import type { PolicyModule } from "../types";
import { text } from "../expression/evaluate";
import { backendServiceChanged } from "../../trace/entries";

export const setBackendService: PolicyModule = {
  names: ["set-backend-service"],
  sections: ["inbound", "backend"],
  compile(el, c) {
    const baseUrl = c.value(el, "base-url");
    const backendId = c.value(el, "backend-id");
    if ((baseUrl === undefined) === (backendId === undefined)) c.fail(el, "one of 'base-url' or 'backend-id' must be present");
    for (const sf of ["sf-resolve-condition", "sf-service-instance-name", "sf-listener-name"]) {
      if (el.attributes[sf] !== undefined) c.fail(el, `'${sf}' (Service Fabric) is not supported in the lab`);
    }
    return {
      name: "set-backend-service",
      run(ctx) {
        const { call } = ctx;
        const old = ctx.backendBase;
        const next = baseUrl === undefined ? call.api.serviceUrl : text(baseUrl.get(ctx)).replace(/\/+$/, "");
        ctx.backendBase = next;
        call.backendUrl = next + call.rest + call.search;
        ctx.trace("set-backend-service", () => backendServiceChanged(old, next, call.backendUrl));
      },
    };
  },
};
