"""Lists over many stored instances: filtered, sorted and paged by SQLite, as the API references say.

The instances are written straight into the running server's SQLite file (through ``Store``), so
there are many of them, with the statuses, workspaces, names and creation times a list must tell
apart, without starting a Jupyter server each. Every list is asked over HTTP and compared with
the references' rules applied here to what was stored.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from nb_devenv.contract import notebooks as nb
from nb_devenv.contract import with_defaults
from nb_devenv.server.notebook_operations import _LISTED
from nb_devenv.server.store import (
    DEVENVIRON,
    NOTEBOOKS,
    InstanceQuery,
    InstanceRecord,
    Project,
    Storage,
    Store,
    devenviron_run_facts,
)

_STATUSES = ("STOPPED", "CREATE_FAILED", "START_FAILED", "STOPPED", "DELETED")
_BASE_MS = 1_700_000_000_000
OTHER_WORKSPACE = "a" * 32


def _old(project_id: str, n: int) -> InstanceRecord:
    workspace = OTHER_WORKSPACE if n % 6 == 5 else "0"
    request = with_defaults({"name": f"old-{(n * 7) % 40:02d}", "profile_id": "Python3",
                             "flavor": "modelarts.vm.cpu.2u", "spec": {"storage": {"type": "EVS"}},
                             "workspace": {"id": workspace}})
    # every fourth shares its creation time with the previous one: ties the sort must break
    return InstanceRecord(id=f"DE-{uuid.uuid4()}", project_id=project_id, name=request["name"],
                          status=_STATUSES[n % 5], request=request, created_ms=_BASE_MS + (n - n % 4 // 3) * 1000,
                          updated_ms=_BASE_MS, jupyter_token=uuid.uuid4().hex, **devenviron_run_facts(request))


def _new(project_id: str, n: int) -> InstanceRecord:
    image = nb.image_for_profile("Python3")
    request = nb.with_defaults({"name": f"nb-{n % 9}", "image_id": image.id, "flavor": "modelarts.vm.cpu.2u",
                                "volume": {"category": "EVS", "ownership": "MANAGED", "capacity": 5},
                                "description": "special" if n % 5 == 0 else ""})
    return InstanceRecord(id=str(uuid.uuid4()), project_id=project_id, api=NOTEBOOKS, name=request["name"],
                          status=_STATUSES[n % 5], request=request, profile_id=image.profile_id,
                          flavor=request["flavor"], storage=Storage("EVS", 5), created_ms=_BASE_MS + (n % 13) * 1000,
                          updated_ms=_BASE_MS + n, jupyter_token=uuid.uuid4().hex)


@pytest.fixture(scope="module")
def crowded(shared_server):
    """The default project with 40 instances of each API, and another project with a few."""
    store = Store(shared_server.data_dir / "state.sqlite3")
    project_id = shared_server.credentials["project_id"]
    other = Project(id=uuid.uuid4().hex, name=f"other-{uuid.uuid4().hex[:6]}", user_id="u", user_name="u",
                    domain_name="d", password_hash="x")
    store.insert_project(other, uuid.uuid4().hex[:20], uuid.uuid4().hex, _BASE_MS)
    records = [_old(project_id, n) for n in range(40)] + [_new(project_id, n) for n in range(40)]
    for record in records + [_old(other.id, n) for n in range(5)] + [_new(other.id, n) for n in range(5)]:
        store.insert_instance(record)
    store.close()
    yield shared_server.client(), records
    store = Store(shared_server.data_dir / "state.sqlite3")
    for record in records:
        store.delete_instance(record.id)
    store.close()


def _old_expected(records, *, status=None, workspace="0", sortby="name", order="asc") -> list[str]:
    """The old API's list (reference §1.3): one project's own, not deleted, of the workspace;
    by name or creation time, ascending unless ``desc``."""
    mine = [r for r in records if r.api == DEVENVIRON and r.status != "DELETED"
            and r.request["workspace"]["id"] == workspace and (status is None or r.status == status)]
    first = (lambda r: (r.name, r.created_ms)) if sortby == "name" else (lambda r: (r.created_ms, r.name))
    return [r.id for r in sorted(mine, key=lambda r: (*first(r), r.id), reverse=order == "desc")]


@pytest.mark.parametrize("sortby,order,status,workspace", [
    ("name", "asc", None, "0"), ("name", "desc", None, "0"), ("creation_timestamp", "asc", None, "0"),
    ("creation_timestamp", "desc", "STOPPED", "0"), ("name", "asc", "CREATE_FAILED", OTHER_WORKSPACE),
])
def test_old_api_list_filters_sorts_and_pages(crowded, sortby, order, status, workspace):
    client, records = crowded
    params = {"de_type": "Notebook", "sortby": sortby, "order": order, "workspace_id": workspace}
    if status:
        params["status"] = status
    expected = _old_expected(records, status=status, workspace=workspace, sortby=sortby, order=order)
    assert expected, "the seeded instances must give this list something to show"
    whole = client.list(**params).json()
    assert whole["total_count"] == len(expected)
    assert [i["id"] for i in whole["instances"]] == expected
    pages = []
    for offset in range(0, len(expected) + 7, 7):
        page = client.list(**params, offset=offset, limit=7).json()
        assert page["total_count"] == len(expected)
        pages += [i["id"] for i in page["instances"]]
    assert pages == expected


def _nb_expected(records, *, sort_key=("create_at",), sort_dir="DESC", status=None, name=None,
                 description=None) -> list[str]:
    """The Notebook API's list (reference §4.4): filters, then the sort keys in one direction."""
    fields = {"create_at": lambda r: r.created_ms, "update_at": lambda r: r.updated_ms, "name": lambda r: r.name,
              "status": lambda r: nb.notebook_status(r.status)}
    mine = [r for r in records if r.api == NOTEBOOKS and r.status != "DELETED"
            and (status is None or nb.notebook_status(r.status) == status)
            and (name is None or name.lower() in r.name.lower())
            and (description is None or description in r.request["description"])]
    return [r.id for r in sorted(mine, key=lambda r: (*(fields[k](r) for k in sort_key), r.id),
                                 reverse=sort_dir == "DESC")]


@pytest.mark.parametrize("params", [
    {}, {"sort_dir": "ASC"}, {"sort_key": "name,create_at", "sort_dir": "ASC"}, {"sort_key": "status"},
    {"sort_key": "update_at", "status": "STOPPED"}, {"name": "NB-3", "sort_key": "name"},
    {"description": "spec", "sort_dir": "ASC"},
])
def test_notebook_api_list_filters_sorts_and_pages(crowded, params):
    client, records = crowded
    model = {k: (tuple(v.split(",")) if k == "sort_key" else v) for k, v in params.items()}
    expected = _nb_expected(records, **model)
    assert expected
    pages = []
    for offset in range(0, len(expected) + 10, 10):
        page = client.request("GET", f"/v1/{client.project_id}/notebooks", params={**params, "offset": offset, "limit": 10}).json()
        assert page["total"] == len(expected) and page["size"] == 10
        pages += [i["id"] for i in page["data"]]
    assert pages == expected
    whole = client.request("GET", f"/v1/{client.project_id}/notebooks", params={**params, "limit": 50}).json()
    assert [i["id"] for i in whole["data"]] == expected[:50]


def _plans(store: Store, project_id: str, api: str, query: InstanceQuery) -> list[str]:
    where, args = query.where(project_id, api)
    order, order_args = query.order_by()
    plans = []
    for sql, values in ((f"SELECT COUNT(*) FROM instances WHERE {where}", args),
                        (f"SELECT * FROM instances WHERE {where} ORDER BY {order} LIMIT 10 OFFSET 0",
                         [*args, *order_args])):
        plans += [row[3] for row in store._db.execute(f"EXPLAIN QUERY PLAN {sql}", values)]
    return plans


@pytest.mark.parametrize("api,query,index_order", [
    (DEVENVIRON, InstanceQuery(request_equals=(("$.workspace.id", "0"),), order=("name", "created_ms")), True),
    (DEVENVIRON, InstanceQuery(request_equals=(("$.workspace.id", "0"),), order=("created_ms", "name"),
                               descending=True, limit=10), True),
    (DEVENVIRON, InstanceQuery(statuses=frozenset({"STOPPED"}), request_equals=(("$.workspace.id", "0"),),
                               order=("created_ms", "name"), limit=10), False),
    (NOTEBOOKS, InstanceQuery(request_equals=(("$.feature", "NOTEBOOK"),), order=("created_ms",),
                              descending=True, status_names=_LISTED, limit=10), True),
    (NOTEBOOKS, InstanceQuery(name_contains="x", order=("name",), status_names=_LISTED, limit=10), True),
    (NOTEBOOKS, InstanceQuery(statuses=frozenset({"RUNNING"}), order=("status",), status_names=_LISTED), False),
])
def test_lists_read_only_their_projects_rows_through_an_index(tmp_path, api, query, index_order):
    """A list searches an index by project (never scans the table), and a page by creation
    time or name comes in the index's order, without sorting all of the project's rows."""
    store = Store(tmp_path / "state.sqlite3")
    plans = _plans(store, "p", api, query)
    store.close()
    searches = [plan for plan in plans if plan.startswith(("SEARCH", "SCAN"))]
    assert searches and all("USING INDEX" in plan or "USING COVERING INDEX" in plan for plan in searches), plans
    assert all("(project_id=?" in plan for plan in searches), plans
    if index_order:
        assert "USE TEMP B-TREE FOR ORDER BY" not in plans, plans


def test_an_older_store_gets_the_list_indexes_and_the_home_column(tmp_path: Path):
    """A 0.2 data directory (one per-project index, no warm pool) is brought up to the ordered
    indexes and the ``home`` column, its instances kept."""
    path = tmp_path / "state.sqlite3"
    store = Store(path)
    store.insert_project(Project("p", "p", "u", "u", "d", "x"), "AK", "SK", _BASE_MS)
    kept = _old("p", 1)
    store.insert_instance(kept)
    store.close()
    with sqlite3.connect(path) as db:  # the 0.2 table: every column but home, one index
        columns = ", ".join(row[1] for row in db.execute("PRAGMA table_info(instances)") if row[1] != "home")
        db.execute(f"CREATE TABLE instances_02 AS SELECT {columns} FROM instances")
        db.execute("DROP TABLE instances")
        db.execute("ALTER TABLE instances_02 RENAME TO instances")
        db.execute("CREATE INDEX instances_project ON instances(project_id, api)")
    Store(path).close()
    with sqlite3.connect(path) as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"instances_project_created", "instances_project_name", "instances_project_status",
            "instances_status"} <= names
    assert "instances_project" not in names
    store = Store(path)
    assert store.instance(kept.id) == kept and kept.home is None
    store.update_instance(kept.id, home="elsewhere")
    assert store.instance(kept.id).home == "elsewhere"
    store.close()
