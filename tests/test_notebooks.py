"""The tutorials in ``notebooks/``, executed with nbclient on a real kernel against the real local server.

Notebooks 01-04 run as a user runs them: no endpoint configured, ``NB_DEVENV_DATA_DIR`` in a
temporary sandbox, so the first ``%devenv`` starts the embedded local server there; the sandbox
stops it and kills its instances afterwards. Notebook 05 ("real ModelArts") is pointed at a
local server *by configuration only*: the kernel gets ``NB_DEVENV_ENDPOINT`` and
``HUAWEICLOUD_SDK_AK/SK/PROJECT_ID`` like a cloud user, with no local credentials file in
reach, so it takes exactly the cloud code path (AK/SK signing from the environment).

Every tutorial must run without an unexpected error, prove with its outputs that each step
worked, end with no instance left (in either API), and keep every secret (the server's AK, SK
and password, every instance's Jupyter token) out of the executed notebook, widget state
included. Notebook 06 speaks the Notebook API, whose instance objects carry their token.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

import nbformat
import pytest
from conftest import SignedClient
from nbclient import NotebookClient
from notebook_support import ARTIFACTS_DIR, Sandbox, tutorials

from nb_devenv.core.redaction import mask

pytestmark = pytest.mark.notebooks

CELL_TIMEOUT = 180
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: an instance id of the old API (``DE-<uuid>``) or of the Notebook API (a UUID)
INSTANCE_ID = re.compile(r"(?:DE-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# --- reading executed notebooks ------------------------------------------------------------------

def cell_text(cell) -> str:
    """Everything a reader sees in a code cell's output, as text (one ``print`` may arrive as
    several stream outputs: they are joined as they were written)."""
    text = ""
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            text += output.text
            continue
        if text and not text.endswith("\n"):
            text += "\n"
        if output.output_type == "error":
            text += f"{output.ename}: {output.evalue}\n"
        else:
            text += output.get("data", {}).get("text/plain", "") + "\n"
    return text


def cell_with(nb, snippet: str, nth: int = 0):
    """The ``nth`` code cell whose source contains ``snippet`` (robust to cells added later)."""
    found = [c for c in nb.cells if c.cell_type == "code" and snippet in c.source]
    assert len(found) > nth, f"no code cell #{nth} with {snippet!r}"
    return found[nth]


def out(nb, snippet: str, nth: int = 0) -> str:
    return cell_text(cell_with(nb, snippet, nth)).strip()


def snapshot_text(nb, snippet: str) -> str:
    """The static snapshot of the widget a cell shows, as text (what GitHub or nbviewer show)."""
    (html,) = [o.data["text/html"] for o in cell_with(nb, snippet).outputs
               if "nb-devenv-snapshot" in o.get("data", {}).get("text/html", "")]
    return as_text(html)


def as_text(html: str) -> str:
    """HTML as the words a reader sees (tags dropped, spaces collapsed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def as_html_without_widget_state(nb) -> str:
    """The notebook as nbconvert's HTML (nbviewer's way) would show it when saved without the
    widget state (JupyterLab's default): the widget views cannot be rendered."""
    from nbconvert import HTMLExporter

    copy = nbformat.from_dict(json.loads(json.dumps(nb)))
    copy.metadata.pop("widgets", None)
    return HTMLExporter().from_notebook_node(copy)[0]


def tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def widget_models(nb) -> dict[str, dict]:
    """model id -> state, as nbclient stored it (``store_widget_state=True``)."""
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def models_with_class(nb, css_class: str) -> dict[str, dict]:
    return {model_id: model["state"] for model_id, model in widget_models(nb).items()
            if css_class in model["state"].get("_dom_classes", [])}


# --- running ------------------------------------------------------------------------------------------

class Secrets(dict):
    """name -> secret, never shown in full (pytest prints the arguments of a failing check)."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: '{v[:2]}…'" for k, v in self.items()) + "}"


def execute(path: Path, sandbox: Sandbox, env: dict[str, str], server_data_dir: Path):
    """Run the notebook like ``jupyter execute`` would; the kernel is shut down afterwards.

    Returns the executed notebook and each code cell's ``execute_reply`` content by cell id
    (a ``UsageError`` is printed on stderr, not as an error output: the reply's status is what
    says a cell failed). After every cell the instance tokens the server knows are collected
    (deleted instances leave its database), so the secret check covers every instance made.
    """
    nb = nbformat.read(path, as_version=4)
    workdir = sandbox.root / "work"
    workdir.mkdir(exist_ok=True)

    replies: dict[str, dict] = {}

    def after_cell(cell, execute_reply, **_):
        replies[cell.id] = execute_reply["content"]
        sandbox.collect_instance_tokens(server_data_dir)

    client = NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=60, kernel_name="python3",
                            store_widget_state=True, coalesce_streams=True, on_cell_executed=after_cell,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    return nb, replies


def check_common(nb, replies: dict[str, dict], secrets: Secrets, remaining: list) -> None:
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "skip-execution" in tags(cell):
            assert cell.id not in replies and not cell.outputs, "a skip-execution cell ran"
            continue
        status = replies[cell.id]["status"]
        if "raises-exception" in tags(cell):
            assert status == "error", f"the error demo did not fail:\n{cell.source}"
            # what the reader sees: one short message with the ModelArts code, no Python traceback
            assert "ModelArts." in cell_text(cell) and "Traceback" not in cell_text(cell), cell_text(cell)
            assert all(len(e.traceback) == 1 for e in errors), errors
        else:
            assert status == "ok" and not errors, f"unexpected error in\n{cell.source}\n{cell_text(cell)}"
    assert INSTANCE_ID.search(json.dumps(nb)), "no instance id in the outputs"
    assert remaining == [], f"the tutorial left instances behind: {remaining}"
    saved = json.dumps(nb)
    assert nb.metadata.get("widgets", {}).get(WIDGET_STATE), "no widget state was stored"
    # each widget output is followed by an output with a static copy of its last state, for a
    # reader without the kernel; the view itself is never updated (its text says no state)
    pairs = [(c.outputs[i], c.outputs[i + 1] if i + 1 < len(c.outputs) else {})
             for c in nb.cells if c.cell_type == "code" for i, o in enumerate(c.outputs)
             if WIDGET_VIEW in o.get("data", {})]
    assert pairs, "no widget output"
    for view, following in pairs:
        assert "text/html" not in view.data, view
        assert view.data["text/plain"].endswith("(a widget; its last state is in the next output)"), view
        snapshot_html = following.get("data", {}).get("text/html", "")
        assert "nb-devenv-snapshot" in snapshot_html and "nb-devenv-live" not in snapshot_html, following
        assert re.search(r"run %devenv (get \S+ to re-attach|create to open a new form)", as_text(snapshot_html))
    for what, secret in secrets.items():
        assert secret and secret not in saved, f"the executed notebook contains {what}"


# --- what each tutorial must show ---------------------------------------------------------------------

def check_quickstart(nb) -> None:
    created = out(nb, "%devenv create --name quickstart")
    # the output (text and snapshot) follows the widget to its last state: deleted at the end
    assert "InstanceStatus(name='quickstart'" in created and "status=DELETED" in created
    instance_id = INSTANCE_ID.search(created).group()
    assert out(nb, 'await wait(w, until="RUNNING"').split() == ["quickstart", instance_id, "RUNNING"]
    assert "answers with HTTP 200" in out(nb, "client.token(instance.id)")
    assert out(nb, "%devenv stop", 0) == f"{instance_id}: RUNNING → STOPPING … STOPPED"
    assert out(nb, "%devenv start") == f"{instance_id}: STOPPED → STARTING … RUNNING"
    listed = out(nb, "%devenv list", 0)
    assert instance_id in listed and "RUNNING" in listed and "quickstart" in listed
    refused = cell_with(nb, "%devenv delete", 0)
    assert "raises-exception" in tags(refused) and refused.outputs[0].ename == "ConflictError"
    assert out(nb, "%devenv stop", 1).endswith("… STOPPED")
    assert out(nb, "%devenv delete", 1) == f"deleted {instance_id}"
    assert out(nb, 'until="DELETED"') == "'DELETED'"
    final_list = out(nb, "%devenv list", 1)
    assert instance_id not in final_list and final_list == "no instances"
    # the executed notebook stores the widget's final state: deleted, not a stale RUNNING
    statuses = models_with_class(nb, "nb-devenv-status")
    assert statuses and all("nb-devenv-state-deleted" in s["_dom_classes"] for s in statuses.values())
    # ...and so does its static snapshot, for a reader without the kernel (GitHub, nbviewer)
    shown = snapshot_text(nb, "%devenv create --name quickstart")
    assert "quickstart" in shown and "DELETED" in shown and "RUNNING" not in shown, shown
    assert f"run %devenv get {instance_id} to re-attach" in shown
    page = as_html_without_widget_state(nb)
    assert f"run %devenv get {instance_id} to re-attach" in as_text(page) and "nb-devenv-snapshot" in page


def check_form(nb) -> None:
    invalid = out(nb, 'form.name.value = "my env!"')
    assert "valid: False | Create disabled: True" in invalid
    assert "ModelArts.6334 name" in invalid and "ModelArts.6317 spec.storage.location.path" in invalid
    assert "valid: True | Create disabled: False" in out(nb, 'form.name.value = "form-demo"')
    created = out(nb, "form.create_button.click()")
    name, instance_id, status = created.split()
    assert name == "form-demo" and INSTANCE_ID.fullmatch(instance_id) and status == "RUNNING"
    assert out(nb, "%devenv delete") == f"deleted {instance_id}"
    assert out(nb, 'until="DELETED"') == "'DELETED'"
    assert instance_id not in out(nb, "%devenv list")
    # Create turned the form into the status widget (stored as the form's only child)
    forms = models_with_class(nb, "nb-devenv-form")
    statuses = models_with_class(nb, "nb-devenv-status")
    assert len(forms) == 1 and len(statuses) == 1
    (form,) = forms.values()
    assert form["children"] == [f"IPY_MODEL_{next(iter(statuses))}"]
    shown = snapshot_text(nb, "%devenv create -o form")  # the form's output shows what it became
    assert "form-demo" in shown and "DELETED" in shown and f"run %devenv get {instance_id} to re-attach" in shown


def check_yaml_and_python(nb) -> None:
    dry = json.loads(out(nb, "%%devenv create --dry-run --auto-stop 3h"))
    assert dry["name"] == "yaml-demo" and dry["spec"]["storage"]["location"]["volume_size"] == 20
    assert dry["spec"]["auto_stop"] == {"enable": True, "duration": 10800}
    broken = cell_with(nb, "volume_size: 5000")
    assert "UsageError: the request breaks the API's rules" in cell_text(broken)
    assert "nothing was sent" in cell_text(broken) and cell_text(broken).count("ModelArts.") >= 2
    yaml_id = INSTANCE_ID.search(out(nb, "await wait(yaml_w")).group()
    assert out(nb, "await wait(yaml_w").endswith("RUNNING")
    created = out(nb, "asyncio.gather(*(\n").splitlines()
    assert [line.split()[0] for line in created] == ["sweep-1", "sweep-2", "sweep-3"]
    sweep_ids = [INSTANCE_ID.search(line).group() for line in created]
    assert out(nb, "client.wait_until(inst.id").splitlines() == [f"sweep-{i} RUNNING" for i in (1, 2, 3)]
    listed = out(nb, "client.list_all():")
    for instance_id in [yaml_id, *sweep_ids]:
        assert re.search(rf"{instance_id}\s+RUNNING", listed), listed
    assert "first page: ['sweep-1', 'sweep-2'], 4 running in all" in listed
    assert out(nb, "DE-does-not-exist").startswith("ModelArts.6309 - ")
    assert out(nb, "deleted = await") == "deleted: 4 instances"
    assert out(nb, "left = [") == "left: []"


def check_auto_stop(nb) -> None:
    instance_id = INSTANCE_ID.search(out(nb, "--auto-stop 1h -o w")).group()
    assert out(nb, "round(w.remaining / 60)") == "about 60 minutes left"
    assert out(nb, "--auto-stop 3h").startswith(f"updated auto-stop-demo ({instance_id}) RUNNING")
    refused = cell_with(nb, "--auto-stop 30m")
    assert "UsageError" in cell_text(refused) and "ModelArts.6349" in cell_text(refused)
    assert out(nb, "clock_advance(55 * 60)") == "RUNNING - about 5 minutes left"
    assert out(nb, "clock_advance(5 * 60 + 1)") == "auto-stop-demo STOPPED"
    assert out(nb, "%devenv start") == f"{instance_id}: STOPPED → STARTING … RUNNING"
    assert out(nb, "round(instance.remain_time / 60)") == "RUNNING, about 180 minutes left"
    assert out(nb, 'until="DELETED"') == "'DELETED'"
    assert instance_id not in out(nb, "%devenv list")


def check_cloud(nb, endpoint: str, masked_ak: str) -> None:
    seen = dict(line.split() for line in out(nb, "for name in (").splitlines())
    assert seen == {"NB_DEVENV_REGION": "-", "NB_DEVENV_ENDPOINT": "set", "HUAWEICLOUD_SDK_PROJECT_ID": "set",
                    "HUAWEICLOUD_SDK_AK": "set", "HUAWEICLOUD_SDK_SK": "set", "NB_DEVENV_TOKEN": "-",
                    "NB_DEVENV_TOKEN_FILE": "-"}
    config = out(nb, "%devenv config")
    assert re.search(r"credentials from\s+AK/SK \(HUAWEICLOUD_SDK_AK/SK\)", config), config
    assert re.search(r"local server\s+no", config) and endpoint in config
    assert f"AK/SK (AK {masked_ak})" in config
    for cell in nb.cells:
        if "skip-execution" in tags(cell):
            assert "☁ cloud only" in cell.source  # marked for the reader too
    gpu = json.loads(out(nb, "--flavor modelarts.vm.gpu.p100 --auto-stop 2h --dry-run"))
    assert gpu["flavor"] == "modelarts.vm.gpu.p100" and gpu["profile_id"] == "Python3-gpu"
    instance_id = INSTANCE_ID.search(out(nb, "--name cloud-demo")).group()
    assert out(nb, 'await wait(w, until="RUNNING"').split() == ["cloud-demo", instance_id, "RUNNING"]
    assert instance_id in out(nb, "%devenv list --status RUNNING")
    assert out(nb, "%devenv delete {instance.id}") == f"deleted {instance_id}"
    assert out(nb, 'until="DELETED"') == "'DELETED'"
    assert instance_id not in out(nb, "%devenv list", 1)


def check_notebook_api(nb) -> None:
    images, flavors = out(nb, "%devenv images"), out(nb, "%devenv flavors")
    assert re.search(r"mul-kernel-cpu-cp36 .* CPU +Python3 ", images) and images.endswith("images)")
    assert re.search(r"^modelarts\.vm\.cpu\.2u .* yes$", flavors, re.M), flavors
    created = out(nb, "%devenv create --name notebook-api-demo")
    assert "InstanceStatus(name='notebook-api-demo'" in created
    instance_id = INSTANCE_ID.search(created).group()
    assert not instance_id.startswith("DE-"), "a Notebook API instance"
    assert out(nb, 'await wait(w, until="RUNNING"').splitlines() == [
        f"notebook-api-demo {instance_id} RUNNING", "about 60 minutes left"]
    assert "answers with HTTP 200" in out(nb, "client.token(instance.id)")
    assert re.fullmatch(rf"extended {instance_id}: it stops in (1h59m\d*s?|2h), at \d\d:\d\d:\d\d \(local time\)",
                        out(nb, "%devenv extend {instance.id} 1h")), out(nb, "%devenv extend {instance.id} 1h")
    assert out(nb, "await w.refresh()  # the widget looks now") == "about 120 minutes left"
    refused = cell_with(nb, "%devenv extend {instance.id} 72h")
    assert "UsageError" in cell_text(refused) and "ModelArts.6349" in cell_text(refused)
    assert out(nb, "clock_advance(115 * 60)") == "about 5 minutes left"
    assert out(nb, "await w.extend(3600)").splitlines() == ["extended by 1 h", "about 65 minutes left"]
    assert out(nb, "%devenv stop") == f"{instance_id}: RUNNING → STOPPING … STOPPED"
    assert out(nb, "%devenv delete") == f"deleted {instance_id}"
    assert out(nb, 'until="DELETED"') == "'DELETED'"
    assert out(nb, "%devenv list") == "no instances"
    # the stored widget: deleted at the end, and it had the lease row with its Extend buttons
    statuses = models_with_class(nb, "nb-devenv-status")
    assert statuses and all("nb-devenv-state-deleted" in s["_dom_classes"] for s in statuses.values())
    # ...and so does its static snapshot, for a reader without the kernel (GitHub, nbviewer)
    shown = snapshot_text(nb, "%devenv create --name notebook-api-demo")
    assert "notebook-api-demo" in shown and "DELETED" in shown and "RUNNING" not in shown, shown
    assert f"run %devenv get {instance_id} to re-attach" in shown
    assert models_with_class(nb, "nb-devenv-lease") and models_with_class(nb, "nb-devenv-extend")


CHECKS: dict[str, Callable] = {
    "01-quickstart": check_quickstart,
    "02-form": check_form,
    "03-yaml-and-python": check_yaml_and_python,
    "04-auto-stop": check_auto_stop,
    "05-modelarts-cloud": check_cloud,
    "06-notebook-api": check_notebook_api,
}


# --- the tests ---------------------------------------------------------------------------------------

def test_every_tutorial_has_checks():
    assert [p.stem for p in tutorials()] == list(CHECKS)


@pytest.mark.parametrize("path", tutorials(), ids=lambda p: p.stem)
def test_tutorial_is_stored_without_outputs_or_secrets(path):
    """What is in git: valid, no outputs, no execution counts, no widget state, the python3
    kernel, no machine-specific path, nothing that looks like a credential."""
    raw = path.read_text()
    nb = nbformat.reads(raw, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, "widget state or other metadata saved"
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags"}, cell.metadata
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"outputs saved in\n{cell.source}"
    assert not re.search(r"(/tmp/|/home/|/root/|/work/|/Users/|[A-Z]:\\\\)", raw), "a machine-specific path"
    assert not re.search(r"\b(ak|sk|password|token)\s*=\s*['\"][^'\"]+['\"]", raw, re.I), "a credential in a cell"
    for name, value in re.findall(r"(HUAWEICLOUD_SDK_(?:AK|SK|SECURITY_TOKEN)|NB_DEVENV_TOKEN)=(\S*)", raw):
        assert value == "...", f"{name} is given a value"
    assert not re.search(r"\b[A-Z0-9]{20}\b", raw), "something shaped like an access key"
    assert "127.0.0.1:" not in raw and "localhost:" not in raw


@pytest.mark.parametrize("path", tutorials(), ids=lambda p: p.stem)
def test_tutorial_runs_against_the_local_server(path, tmp_path, server_factory):
    sandbox = Sandbox(tmp_path / "sandbox")
    cloud = path.stem == "05-modelarts-cloud"
    try:
        if cloud:
            # a server the kernel knows only through the environment, as it would know a region
            server = server_factory()
            server_data_dir, credentials = server.data_dir, server.credentials
            env = sandbox.env(NB_DEVENV_ENDPOINT=server.endpoint, HUAWEICLOUD_SDK_AK=credentials["ak"],
                              HUAWEICLOUD_SDK_SK=credentials["sk"],
                              HUAWEICLOUD_SDK_PROJECT_ID=credentials["project_id"])
        else:
            server_data_dir, env = sandbox.data_dir, sandbox.env()
        nb, replies = execute(path, sandbox, env, server_data_dir)
        nb = nbformat.read(_save_for_review(nb, path), as_version=4)  # check what was saved
        if not cloud:
            credentials = sandbox.credentials()
            assert credentials, "the notebook did not start the local server in NB_DEVENV_DATA_DIR"
        client = SignedClient.from_credentials(credentials)
        try:
            remaining = [(i["name"], i["status"]) for i in client.list().json()["instances"]]
            notebooks = client.request("GET", f"/v1/{credentials['project_id']}/notebooks").json()["data"]
            remaining += [(i["name"], i["status"]) for i in notebooks]
        finally:
            client.close()
        tokens = sandbox.collect_instance_tokens(server_data_dir)
        assert tokens, "no instance token was collected"
        secrets = Secrets({"the server's AK": credentials["ak"], "the server's SK": credentials["sk"],
                           "the IAM password": credentials["password"]})
        secrets.update({f"the Jupyter token of an instance ({t[:4]}…)": t for t in tokens})
        check_common(nb, replies, secrets, remaining)
        if cloud:
            check_cloud(nb, server.endpoint, mask(credentials["ak"]))
        else:
            CHECKS[path.stem](nb)
    finally:
        leftovers = sandbox.close()
    assert not leftovers, f"processes left running after the tutorial: {leftovers}"


def _save_for_review(nb, path: Path) -> Path:
    """Keep the executed notebook under test-artifacts/ (gitignored) for a human to read."""
    target = ARTIFACTS_DIR / "notebooks" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target
