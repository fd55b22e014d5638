"""The magics and widgets in a real ipykernel, executed by nbclient against the real server.

Checks what only a kernel shows: one-shot calls from a cell that runs on the kernel's loop,
the watcher as a task on that loop, ``wait()`` storing the final widget state in the executed
notebook, failing cells, and that the access token never lands in the saved notebook.
"""

from __future__ import annotations

import asyncio
import json
import re

import nbformat
import pytest
from nbclient import NotebookClient

from nb_devenv import AsyncDevEnvClient

pytestmark = pytest.mark.notebooks


def run_notebook(sources: list[str], tmp_path, tags: dict[int, list[str]] | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for index, cell_tags in (tags or {}).items():
        nb.cells[index].metadata["tags"] = cell_tags
    NotebookClient(nb, timeout=60, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def outputs(cell) -> str:
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
        else:
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_create_wait_and_saved_state_in_a_real_kernel(shared_server, tmp_path, monkeypatch):
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("NB_DEVENV_DATA_DIR", str(tmp_path / "unused-data"))
    nb = run_notebook([
        "%load_ext nb_devenv\n"
        f"%config DevEnv.endpoint = {shared_server.endpoint!r}\n"
        f"%config DevEnv.data_dir = {str(shared_server.data_dir)!r}\n"
        "%config DevEnv.poll_interval = 0.2",
        "w = %devenv create --name kernel-made --profile Python3 --flavor modelarts.vm.cpu.2u --auto-stop 2h\nw",
        "from nb_devenv.notebook import wait\n(await wait(w, 'RUNNING', timeout=60)).status",
        "w.buttons['Open'].click()\nimport asyncio\nawait asyncio.sleep(0.5)\nw.link_shown",
        "%devenv list",
        "%devenv get DE-does-not-exist",
        "(await wait(w, 'RUNNING')).status, w.link_shown",
        "%unload_ext nb_devenv\nimport asyncio\nawait asyncio.sleep(0.1)\n"
        "sorted(t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith('nb_devenv'))",
    ], tmp_path, tags={5: ["raises-exception"]})

    # the widget's output follows it to its last state (text and static snapshot), by display id
    assert "status=RUNNING" in outputs(nb.cells[1])
    view, snap = nb.cells[1].outputs  # the live view, then the snapshot (the one with a display id)
    assert "application/vnd.jupyter.widget-view+json" in view.data and "text/html" not in view.data
    shown = snap.data["text/html"]
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", shown))  # as text
    assert "RUNNING" in shown and re.search(r"run %devenv get DE-\S+ to re-attach", shown)
    assert outputs(nb.cells[2]) == "'RUNNING'"
    assert outputs(nb.cells[3]) == "True"  # the click revealed the link while live
    assert "kernel-made" in outputs(nb.cells[4]) and "RUNNING" in outputs(nb.cells[4])
    error = nb.cells[5].outputs[0]
    assert error.output_type == "error" and error.ename == "NotFoundError"
    assert len(error.traceback) == 1 and "ModelArts.6309" in error.traceback[0]  # one line, no traceback
    assert outputs(nb.cells[6]) == "('RUNNING', False)"  # wait() cleared the token link
    assert outputs(nb.cells[7]) == "[]"  # unload cancelled every task

    # the executed notebook stores the final state (re-sent by wait), and never the token
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    status_values = [m["state"]["value"] for m in state.values()
                     if "nb-devenv-status-value" in m["state"].get("_dom_classes", [])]
    assert status_values and "RUNNING" in status_values[-1]

    async def token() -> str:
        async with AsyncDevEnvClient(endpoint=shared_server.endpoint, data_dir=shared_server.data_dir) as client:
            made = [i for i in await client.list_all() if i.name == "kernel-made"]
            return await client.token(made[0].id)

    assert asyncio.run(token()) not in json.dumps(nb)
