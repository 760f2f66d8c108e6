"""Writes a tslab notebook from a compact cell list: `python3 scripts/notebook.py OUT.ipynb < cells.txt`.

cells.txt separates cells with lines `%% md` or `%% code`. Kept so notebooks can be written as text
and reviewed as diffs; the committed .ipynb files carry no outputs.
"""
import json, sys, hashlib

def main(out):
    cells, kind, buf = [], None, []
    def flush():
        if kind is None:
            return
        src = "\n".join(buf).strip("\n")
        cid = hashlib.sha1(f"{out}:{len(cells)}".encode()).hexdigest()[:12]
        cell = {"cell_type": "markdown" if kind == "md" else "code", "id": cid, "metadata": {},
                "source": [l + "\n" for l in src.split("\n")[:-1]] + [src.split("\n")[-1]]}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    for line in sys.stdin.read().split("\n"):
        if line.startswith("%% "):
            flush(); kind, buf = line[3:].strip(), []
        else:
            buf.append(line)
    flush()
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "TypeScript", "language": "typescript", "name": "tslab"},
          "language_info": {"name": "typescript", "file_extension": ".ts"}}, "nbformat": 4, "nbformat_minor": 5}
    with open(out, "w") as f:
        json.dump(nb, f, indent=1)
        f.write("\n")

if __name__ == "__main__":
    main(sys.argv[1])
