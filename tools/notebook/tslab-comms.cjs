/**
 * tslab's kernel, answering Jupyter's comm messages quietly.
 *
 * tslab 1.0.22 has no comms: its ZmqServer.handleShellMessage ends in
 *   default: console.warn(`unknown msg_type: ${msg.header.msg_type}`)
 * and while a cell runs, tslab has made process.stderr that cell's output. The widgets
 * extension that Debian's Jupyter Notebook installs (python3-ipywidgets, what an attendee's
 * `apt install jupyter-notebook` brings) opens a comm when it connects to a kernel, so a
 * cell run right after a start or restart showed a red "unknown msg_type: comm_open".
 *
 * Jupyter's messaging spec (Comms): "If the target_name key is not found on the receiving
 * side, then it should immediately reply with a comm_close message to avoid an inconsistent
 * state." So, as ipykernel does: comm_open gets a comm_close on IOPub; comm_msg and
 * comm_close for comms that were never opened get nothing; comm_info_request gets a
 * comm_info_reply with no comms (tslab sends that reply as "complete_reply", a tslab bug).
 * Each gets the busy/idle status of any request. Everything else goes to tslab.
 *
 * The hook: tslab's main.js startKernel() creates `new jupyter_1.ZmqServer(...)`, reading
 * the export when it runs, so replacing that export with a subclass before startKernel is
 * enough. These are tslab internals, not its API: tslab is pinned, and `npm run
 * test:kernels` sends comm messages through jupyter_client (tools/notebook/comm_probe.py).
 * CommonJS because the kernel runs without a TypeScript loader.
 */
"use strict";
const crypto = require("crypto");

/** The wire format: [identities..., "<IDS|MSG>", signature, header, parent, metadata, content, buffers...]. */
const DELIMITER = Buffer.from("<IDS|MSG>");
const COMM_MESSAGES = new Set(["comm_open", "comm_msg", "comm_close", "comm_info_request"]);

function sign(key, parts) {
  if (!key) return ""; // an empty key means unsigned messages (Jupyter's messaging spec)
  const hmac = crypto.createHmac("sha256", key);
  for (const part of parts) hmac.update(part);
  return hmac.digest("hex");
}

/** A comm message, parsed and its signature checked; undefined for anything else (tslab reads those). */
function readCommMessage(key, frames) {
  const at = frames.findIndex((frame) => Buffer.from(frame).equals(DELIMITER));
  if (at < 0 || frames.length < at + 6) return undefined;
  const parts = frames.slice(at + 2, at + 6).map((frame) => Buffer.from(frame).toString("utf8"));
  let header;
  try {
    header = JSON.parse(parts[0]);
  } catch (e) {
    return undefined;
  }
  if (!header || !COMM_MESSAGES.has(header.msg_type)) return undefined;
  const expected = Buffer.from(sign(key, parts));
  const given = Buffer.from(Buffer.from(frames[at + 1]).toString("utf8"));
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return undefined;
  try {
    return { identities: frames.slice(0, at), header: header, content: JSON.parse(parts[3]) };
  } catch (e) {
    return undefined;
  }
}

function send(key, socket, identities, request, msgType, content) {
  const header = {
    msg_id: crypto.randomBytes(16).toString("hex"),
    session: request.header.session,
    username: request.header.username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: "5.3",
  };
  const parts = [header, request.header, {}, content].map((part) => JSON.stringify(part));
  socket.send([...identities, DELIMITER, sign(key, parts), ...parts]);
}

/** tslab's ZmqServer with comm messages answered here. */
function quietCommServer(ZmqServer) {
  return class QuietCommServer extends ZmqServer {
    handleShellMessage(socket, ...frames) {
      const key = this.connInfo.key;
      const message = readCommMessage(key, frames);
      if (!message) return super.handleShellMessage(socket, ...frames);
      const topic = [Buffer.from("kernel." + message.header.msg_type)];
      send(key, this.iopub, topic, message, "status", { execution_state: "busy" });
      if (message.header.msg_type === "comm_open") {
        send(key, this.iopub, topic, message, "comm_close", { comm_id: message.content.comm_id, data: {} });
      } else if (message.header.msg_type === "comm_info_request") {
        send(key, socket, message.identities, message, "comm_info_reply", { status: "ok", comms: {} });
      }
      send(key, this.iopub, topic, message, "status", { execution_state: "idle" });
      return Promise.resolve();
    }
  };
}

/** Makes the tslab of `tslabDist` (its dist/ folder) answer comm messages; call before its startKernel. */
function installQuietComms(tslabDist) {
  const jupyter = require(require("path").join(tslabDist, "jupyter.js"));
  if (!jupyter.ZmqServer.quietComms) {
    jupyter.ZmqServer = quietCommServer(jupyter.ZmqServer);
    jupyter.ZmqServer.quietComms = true;
  }
}

module.exports = { installQuietComms: installQuietComms, readCommMessage: readCommMessage };
