// The comm check of `npm run test:kernels` on synthetic probe reports, and the tslab
// wrapper's reading of comm messages from the wire: no Jupyter needed. (The check itself
// runs against real kernels in `npm run test:kernels`; its self-test shows it fails on
// tslab as it comes.)
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { commProblems, type CommProbeReport } from "../tools/notebook/comms";
import { readCommMessage } from "../tools/notebook/tslab-comms.cjs";

const quiet: CommProbeReport = {
  kernel: "tslab",
  stderr_on_iopub: [],
  comm_close_for_idle_open: true,
  comm_close_for_busy_open: true,
  shell_replies: ["kernel_info_reply", "execute_reply", "comm_info_reply"],
  cell_after: { status: "ok", stdout: "42\n" },
  kernel_stderr: "",
};

describe("commProblems", () => {
  it("passes a kernel that closes each comm, answers comm_info and still runs code", () => {
    assert.deepEqual(commProblems(quiet), []);
  });

  it("fails what tslab as it comes does: a red line, no comm_close, complete_reply for comm_info", () => {
    const plain: CommProbeReport = {
      ...quiet,
      stderr_on_iopub: ["unknown msg_type: comm_open\n"],
      comm_close_for_idle_open: false,
      comm_close_for_busy_open: false,
      shell_replies: ["kernel_info_reply", "execute_reply", "complete_reply"],
      kernel_stderr: "unknown msg_type: comm_open\n",
    };
    assert.deepEqual(commProblems(plain), [
      'a comm message put a red line into the notebook: "unknown msg_type: comm_open"',
      'the kernel logged a comm message: "unknown msg_type: comm_open"',
      "a comm_open was not answered with comm_close (Jupyter's messaging spec asks for one when the target is unknown)",
      "no comm_info_reply to a comm_info_request",
    ]);
  });

  it("fails a kernel that stopped running code, or never got ready", () => {
    assert.match(commProblems({ ...quiet, cell_after: { status: "error", stdout: "" } })[0], /did not run a cell after the comm messages/);
    assert.deepEqual(commProblems({ kernel: "x", error: "RuntimeError: Kernel didn't respond in 120 seconds" }), [
      "the kernel did not get through the comm messages: RuntimeError: Kernel didn't respond in 120 seconds",
    ]);
  });
});

describe("the tslab wrapper's reading of comm messages", () => {
  const key = "0123456789abcdef";
  const wire = (msgType: string, signWith = key) => {
    const parts = [{ msg_id: "m1", msg_type: msgType, session: "s", username: "u" }, {}, {}, { comm_id: "c1", target_name: "jupyter.widget" }].map((p) => JSON.stringify(p));
    const hmac = createHmac("sha256", signWith);
    for (const p of parts) hmac.update(p);
    return [Buffer.from("client-id"), Buffer.from("<IDS|MSG>"), Buffer.from(hmac.digest("hex")), ...parts.map((p) => Buffer.from(p))];
  };

  it("reads a signed comm_open: who sent it, its header and content", () => {
    const message = readCommMessage(key, wire("comm_open"));
    assert.equal(message?.header.msg_type, "comm_open");
    assert.equal(message?.content.comm_id, "c1");
    assert.deepEqual(message?.identities.map(String), ["client-id"]);
  });

  it("leaves every other message, and a badly signed comm message, to tslab", () => {
    assert.equal(readCommMessage(key, wire("execute_request")), undefined);
    assert.equal(readCommMessage(key, wire("comm_open", "another key")), undefined);
    assert.equal(readCommMessage(key, wire("comm_open").slice(0, 4)), undefined);
  });
});
