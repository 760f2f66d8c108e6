"""Executes a notebook with Jupyter's nbclient and saves it with its outputs, also when a cell fails.

Usage: python3 execute-notebook.py IN.ipynb OUT.ipynb TIMEOUT_SEC KERNEL_NAME [INJECTED_SOURCE]

INJECTED_SOURCE, when given, is the code of a cell inserted after the cell tagged `parameters` (at
the top when none is), tagged `injected-parameters`: papermill's convention, so the saved notebook
and its page show the values the run used.

Why not `jupyter nbconvert --execute`: on a failing cell it saves nothing, and tslab's error reply
carries no name or message (tslab prints the error on the cell's stderr instead), so all that
reached a user was `<Error>:`. Here the error the failing cell printed becomes a real error output
(name, message, stack) in the saved notebook, so the rendered page shows it, and is printed on
stderr between ERROR-BEGIN/ERROR-END lines for lacuna's runner and its log.

Exit status: 0 every cell ran; 3 a cell failed (OUT is written); anything else: could not run.
"""
import os
import re
import sys

import nbformat
from nbclient import NotebookClient

# Node prints an error as "Name: message" (or "Name [code]: message") followed by its stack.
ERROR_LINE = re.compile(r"^(?:Uncaught )?([A-Za-z_$][\w$]*(?:Error|Exception))(?: \[[^\]]*\])?:\s?(.*)$")


class Client(NotebookClient):
    failed_index = None

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        try:
            return await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        except BaseException:
            self.failed_index = cell_index
            raise


def error_output(cell, fallback):
    """The failing cell's error as an nbformat error output, from what the kernel printed."""
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr")
    lines = stderr.rstrip("\n").split("\n") if stderr.strip() else []
    for line in lines:
        m = ERROR_LINE.match(line.strip())
        if m:
            return nbformat.v4.new_output("error", ename=m.group(1), evalue=m.group(2), traceback=lines)
    evalue = lines[-1].strip() if lines else fallback
    return nbformat.v4.new_output("error", ename="Error", evalue=evalue, traceback=lines or [fallback])


def inject_parameters(nb, source):
    """Inserts the injected-parameters cell after the parameters cell (papermill's convention)."""
    cell = nbformat.v4.new_code_cell(source=source, metadata={"tags": ["injected-parameters"]})
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)


def main(src, out, timeout, kernel, injected=None):
    nb = nbformat.read(src, as_version=4)
    if injected:
        inject_parameters(nb, injected)
    # iopub_timeout: how long to wait for a cell's last outputs after its reply; generous, since
    # a busy kernel may still be flushing a long cell's output.
    client = Client(nb, timeout=timeout, kernel_name=kernel, iopub_timeout=30,
                    resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
    failure = None
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - every failure is reported the same way below
        failure = exc
    if failure is not None and client.failed_index is not None:
        cell = nb.cells[client.failed_index]
        if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            fallback = f"{type(failure).__name__}: {str(failure).strip().splitlines()[-1] if str(failure).strip() else 'no message'}"
            cell.outputs.append(error_output(cell, fallback))
    nbformat.write(nb, out)
    if failure is None:
        return 0
    if client.failed_index is None:
        print(f"{type(failure).__name__}: {failure}", file=sys.stderr)
        return 1
    cell = nb.cells[client.failed_index]
    err = next(o for o in cell.outputs if o.get("output_type") == "error")
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    print("ERROR-BEGIN", file=sys.stderr)
    print(f"code cell {code_cells.index(client.failed_index) + 1} (cell {client.failed_index + 1} of {len(nb.cells)})", file=sys.stderr)
    header = f"{err['ename']}: {err['evalue']}"
    print(header, file=sys.stderr)
    for line in err.get("traceback", []):
        if line.strip() != header:
            print(line, file=sys.stderr)
    print("ERROR-END", file=sys.stderr)
    return 3


if __name__ == "__main__":
    if len(sys.argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] if len(sys.argv) == 6 else None))
