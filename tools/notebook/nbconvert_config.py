# nbconvert configuration for `npm run test:kernels` (passed with --config).
# tslab reports a failing cell only in its execute_reply (status "error", no error
# output; the message goes to stderr), and nbconvert's --allow-errors keeps no trace
# of that status. Record each cell's reply status in the executed notebook, where
# check.ts (beside this file) reads it.


def record_reply(cell, cell_index, execute_reply):
    content = execute_reply.get("content", {})
    cell.metadata["kernel_check"] = {
        "status": content.get("status"),
        "ename": content.get("ename"),
        "evalue": content.get("evalue"),
    }


c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.ExecutePreprocessor.on_cell_executed = record_reply
