"""Sends a kernel the comm messages a notebook front end sends, through jupyter_client.

    JUPYTER_PATH=<lab>/.jupyter/share/jupyter /usr/bin/python3 comm_probe.py <kernel name>

Run by `npm run test:kernels` (tools/notebook/comms.ts), with Debian's python3, which has
jupyter_client. It starts the kernel from its spec, then sends what the widgets extension of
Debian's Jupyter Notebook sends: a comm_open while the kernel is idle, then a comm_open, a
comm_msg and a comm_close while a cell runs (where tslab printed a red "unknown msg_type"),
then a comm_info_request, and then a cell that must still run. It prints one JSON object:
what came back, and the kernel's own stderr. The verdict is made by comms.ts.
"""
import json
import queue
import sys
import tempfile
import time
import uuid

from jupyter_client.manager import KernelManager

kernel_name = sys.argv[1]
kernel_log = tempfile.TemporaryFile("w+")
km = KernelManager(kernel_name=kernel_name)
km.start_kernel(stdout=kernel_log, stderr=kernel_log)
kc = km.client()
kc.start_channels()
report = {"kernel": kernel_name}
try:
    kc.wait_for_ready(timeout=120)

    def iopub_for(seconds):
        """Every IOPub message within `seconds`: (type, content)."""
        got = []
        end = time.time() + seconds
        while time.time() < end:
            try:
                m = kc.get_iopub_msg(timeout=max(0.01, end - time.time()))
            except queue.Empty:
                break
            got.append((m["header"]["msg_type"], m["content"]))
        return got

    def send(msg_type, content):
        kc.shell_channel.send(kc.session.msg(msg_type, content))

    iopub_for(0.5)  # the statuses of the kernel_info request
    idle_comm = str(uuid.uuid4())
    send("comm_open", {"comm_id": idle_comm, "target_name": "jupyter.widget.version", "data": {}})
    messages = iopub_for(1.0)

    kc.execute("await new Promise((resolve) => setTimeout(resolve, 1500)); console.log('slow cell done');")
    time.sleep(0.3)
    busy_comm = str(uuid.uuid4())
    send("comm_open", {"comm_id": busy_comm, "target_name": "jupyter.widget", "data": {"state": {}}})
    send("comm_msg", {"comm_id": busy_comm, "data": {"method": "update"}})
    send("comm_close", {"comm_id": busy_comm, "data": {}})
    messages += iopub_for(3.0)

    send("comm_info_request", {"target_name": "jupyter.widget"})
    shell = []
    end = time.time() + 3
    while time.time() < end:
        try:
            m = kc.get_shell_msg(timeout=0.2)
        except queue.Empty:
            continue
        shell.append((m["header"]["msg_type"], m["content"]))
        if m["parent_header"].get("msg_type") == "comm_info_request":
            break

    after = []
    reply = kc.execute_interactive("console.log(6 * 7)", timeout=60, output_hook=lambda m: after.append((m["header"]["msg_type"], m["content"])))

    # Deno answers comm_open with comm_close on the shell channel; ipykernel and tslab on IOPub.
    closed = [c.get("comm_id") for t, c in messages + shell if t == "comm_close"]
    report.update({
        "stderr_on_iopub": [c.get("text", "") for t, c in messages + after if t == "stream" and c.get("name") == "stderr"],
        "comm_close_for_idle_open": idle_comm in closed,
        "comm_close_for_busy_open": busy_comm in closed,
        "shell_replies": [t for t, _ in shell],
        "cell_after": {"status": reply["content"]["status"], "stdout": "".join(c.get("text", "") for t, c in after if t == "stream" and c.get("name") == "stdout")},
    })
except Exception as error:  # a kernel that never got ready, a timeout: reported, not a stack
    report["error"] = f"{type(error).__name__}: {error}"
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    kernel_log.seek(0)
    report["kernel_stderr"] = kernel_log.read()[-4000:]
print(json.dumps(report))
