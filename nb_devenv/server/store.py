"""All server state in one SQLite file: projects, credentials, tokens, instances, the clock offset.

SQLite (WAL mode) because the state must survive restarts and crashes, and because another
process (``add_project``, ``nb-devenv projects create``) may write to it while the server runs:
the server therefore reads credentials from here on every request instead of caching them.
Calls are short and run on the server's event loop.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .passwords import hash_password, is_password_hash

__all__ = ["Store", "Project", "InstanceRecord", "Storage", "InstanceQuery", "DEVENVIRON", "NOTEBOOKS",
           "devenviron_run_facts"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    domain_name TEXT NOT NULL,
    -- scrypt with a random salt (auth.hash_password); the password itself is never stored
    password_hash TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS credentials (
    ak         TEXT PRIMARY KEY,
    sk         TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id)
);
-- tokens are kept as SHA-256 digests: a copy of the database does not hand out live tokens
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects(id),
    expires_ms   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS instances (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects(id),
    -- which API made it ('devenviron' or 'notebooks'): each API lists only its own
    api            TEXT NOT NULL DEFAULT 'devenviron',
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    -- the API's normalised request, as that API shows it back
    request        TEXT NOT NULL,
    -- what running it takes, whatever the API: the lifecycle and provisioners read only these
    profile_id     TEXT NOT NULL,
    flavor         TEXT NOT NULL,
    storage        TEXT NOT NULL,
    run_ms         INTEGER,
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL,
    jupyter_token  TEXT NOT NULL,
    -- where the provisioner finds the instance's server again (its own format: a process and
    -- port for the local one, a Hub user and server name for JupyterHub), and its JupyterLab
    handle         TEXT,
    url            TEXT,
    stop_timestamp INTEGER,
    failed_reasons TEXT
);
-- the old API refuses a name taken in the project (6301); the Notebook API allows duplicates
CREATE UNIQUE INDEX IF NOT EXISTS instances_devenviron_name ON instances(project_id, name)
    WHERE api = 'devenviron';
CREATE INDEX IF NOT EXISTS instances_project ON instances(project_id, api);
"""


@dataclass(frozen=True)
class Project:
    """A project with its IAM user (the token flow logs in as this user)."""

    id: str
    name: str
    user_id: str
    user_name: str
    domain_name: str
    password_hash: str = field(repr=False)


#: the APIs an instance can belong to
DEVENVIRON, NOTEBOOKS = "devenviron", "notebooks"


@dataclass(frozen=True)
class Storage:
    """Where an instance works, whatever API described it: an EVS disk of its own, or an OBS
    directory (``obs_path``, e.g. ``obs://bucket/dir/``) that outlives it."""

    category: str  # "EVS" or "OBS"
    capacity_gb: int | None = None
    obs_path: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"category": self.category, "capacity_gb": self.capacity_gb, "obs_path": self.obs_path}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "Storage":
        return cls(value["category"], value.get("capacity_gb"), value.get("obs_path"))


@dataclass(frozen=True)
class InstanceRecord:
    """One instance as stored.

    ``request`` is the normalised body of the API that made it (``api``), kept current by its
    updates, and only that API reads it. ``profile_id``, ``flavor``, ``storage`` and ``run_ms``
    (the auto-stop duration of a start; ``None``: no auto-stop) say what running it takes:
    the lifecycle and the provisioners read only those. ``handle`` is the provisioner's own
    reference to the instance's server (set from the moment a server exists) and ``url`` its
    JupyterLab (set once it answers).
    """

    id: str
    project_id: str
    name: str
    status: str
    request: dict[str, Any]
    profile_id: str
    flavor: str
    storage: Storage
    created_ms: int
    updated_ms: int
    jupyter_token: str
    api: str = DEVENVIRON
    run_ms: int | None = None
    handle: str | None = None
    url: str | None = None
    stop_timestamp: int | None = None
    failed_reasons: dict[str, Any] | None = field(default=None)


_INSTANCE_COLUMNS = ("id", "project_id", "api", "name", "status", "request", "profile_id", "flavor", "storage",
                     "run_ms", "created_ms", "updated_ms", "jupyter_token", "handle", "url", "stop_timestamp",
                     "failed_reasons")
_JSON_COLUMNS = ("request", "failed_reasons")


def _to_row(values: dict[str, Any]) -> dict[str, Any]:
    row = {}
    for key, value in values.items():
        if key == "storage":
            value = json.dumps(value.as_json())
        elif key in _JSON_COLUMNS and value is not None:
            value = json.dumps(value)
        row[key] = value
    return row


def _from_row(row: sqlite3.Row) -> InstanceRecord:
    values = {k: row[k] for k in _INSTANCE_COLUMNS}
    for key in _JSON_COLUMNS:
        if values[key] is not None:
            values[key] = json.loads(values[key])
    values["storage"] = Storage.from_json(json.loads(values["storage"]))
    return InstanceRecord(**values)


#: the columns a list may be ordered by
_ORDER_COLUMNS = frozenset({"created_ms", "updated_ms", "name", "status", "id"})


@dataclass(frozen=True)
class InstanceQuery:
    """Which of a project's instances of one API a list wants, in what order, and which page.

    Every filter is optional (``None``: no filter); an empty set matches nothing. ``*_contains``
    filters match a part of the value in any ASCII case (the lists' "fuzzy" match). The
    ``request_*`` filters look into the API's stored request at a JSON path (``$.workspace_id``).
    ``order`` names columns of :data:`_ORDER_COLUMNS`; ``status`` sorts by ``status_names`` (the
    API's names of the stored statuses) when given. The id breaks ties, so pages never overlap.
    """

    statuses: frozenset[str] | None = None
    id: str | None = None
    name_contains: str | None = None
    flavor_contains: str | None = None
    profile_ids: frozenset[str] | None = None
    request_equals: tuple[tuple[str, str], ...] = ()
    request_contains: tuple[tuple[str, str], ...] = ()
    order: tuple[str, ...] = ("created_ms",)
    descending: bool = False
    status_names: Mapping[str, str] | None = None
    limit: int | None = None
    offset: int = 0

    def matches_nothing(self) -> bool:
        return self.statuses == frozenset() or self.profile_ids == frozenset()

    def where(self, project_id: str, api: str) -> tuple[str, list[Any]]:
        """The SQL condition and its arguments (no value is ever written into the SQL)."""
        clauses = ["project_id = ?", "api = ?", "status != 'DELETED'"]
        args: list[Any] = [project_id, api]
        for column, values in (("status", self.statuses), ("profile_id", self.profile_ids)):
            if values is not None:
                ordered = sorted(values)
                clauses.append(f"{column} IN ({', '.join('?' for _ in ordered)})")
                args += ordered
        if self.id is not None:
            clauses.append("id = ?")
            args.append(self.id)
        for column, text in (("name", self.name_contains), ("flavor", self.flavor_contains)):
            if text is not None:
                clauses.append(f"instr(lower({column}), lower(?)) > 0")
                args.append(text)
        for path, value in self.request_equals:
            clauses.append("json_extract(request, ?) = ?")
            args += [path, value]
        for path, text in self.request_contains:
            clauses.append("instr(lower(json_extract(request, ?)), lower(?)) > 0")
            args += [path, text]
        return " AND ".join(clauses), args

    def order_by(self) -> tuple[str, list[Any]]:
        direction = "DESC" if self.descending else "ASC"
        terms, args = [], []
        for column in dict.fromkeys((*self.order, "id")):
            if column not in _ORDER_COLUMNS:
                raise ValueError(f"cannot order instances by {column!r}")
            if column == "status" and self.status_names:
                cases = " ".join("WHEN ? THEN ?" for _ in self.status_names)
                terms.append(f"CASE status {cases} ELSE status END {direction}")
                args += [value for pair in sorted(self.status_names.items()) for value in pair]
            else:
                terms.append(f"{column} {direction}")
        return ", ".join(terms), args


def devenviron_run_facts(request: dict[str, Any]) -> dict[str, Any]:
    """``profile_id``, ``flavor``, ``storage`` and ``run_ms`` of an old-API normalised request."""
    storage = request["spec"]["storage"]
    location = storage.get("location") or {}
    auto_stop = request["spec"]["auto_stop"]
    obs = storage["type"].upper() == "OBS"
    return {
        "profile_id": request["profile_id"],
        "flavor": request["flavor"],
        "storage": Storage("OBS" if obs else "EVS", None if obs else location.get("volume_size"),
                           location.get("path") if obs else None),
        "run_ms": int(auto_stop["duration"]) * 1000 if auto_stop.get("enable") and auto_stop.get("duration") else None,
    }


class Store:
    """A connection to ``state.sqlite3``; one per process, used from one thread."""

    def __init__(self, path: Path):
        try:
            # created private (it holds secret keys), never through a planted link; SQLite
            # gives its -wal and -shm files the same mode
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
        except FileExistsError:
            pass
        self._db = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._upgrade_instances_table()
        with self._db:
            self._create_schema()
        self._hash_legacy_passwords()

    def _create_schema(self) -> None:
        # one statement at a time: executescript() would commit an open transaction first
        for statement in _SCHEMA.split(";\n"):
            if statement.strip():
                self._db.execute(statement)

    def _upgrade_instances_table(self) -> None:
        """Rebuild an older instances table once. nb_devenv 0.1.0's had no ``api`` and no run
        facts, and its name uniqueness was a table constraint (which SQLite cannot drop); up to
        0.2 a server was a local process, stored as ``pid`` and ``port`` (now ``handle`` and
        ``url``, which fit any provisioner)."""
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(instances)")}
        if not columns or "handle" in columns:
            return
        # lazily: the provisioners import this module
        from .provisioners.local import local_handle, local_url

        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("ALTER TABLE instances RENAME TO instances_old")
            self._create_schema()  # the new table and its indexes, inside this transaction
            for row in self._db.execute("SELECT * FROM instances_old").fetchall():
                old = dict(row)
                request = json.loads(old["request"])
                facts = {k: old[k] for k in ("profile_id", "flavor", "run_ms", "api") if k in old}
                if "storage" in old:
                    facts["storage"] = Storage.from_json(json.loads(old["storage"]))
                else:
                    facts.update(devenviron_run_facts(request))
                pid, port = old["pid"], old["port"]
                record = InstanceRecord(
                    id=old["id"], project_id=old["project_id"], name=old["name"], status=old["status"],
                    request=request, created_ms=old["created_ms"], updated_ms=old["updated_ms"],
                    jupyter_token=old["jupyter_token"], stop_timestamp=old["stop_timestamp"],
                    failed_reasons=json.loads(old["failed_reasons"]) if old["failed_reasons"] else None,
                    handle=None if pid is None else local_handle(pid, port),
                    url=None if port is None else local_url(port), **facts)
                self.insert_instance(record)
            self._db.execute("DROP TABLE instances_old")

    def _hash_legacy_passwords(self) -> None:
        """nb_devenv 0.1.0 kept IAM passwords in the clear, in ``projects.password``."""
        if "password" not in self._project_columns():
            return
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            if "password" not in self._project_columns():  # another process did it meanwhile
                return
            self._db.execute("ALTER TABLE projects RENAME COLUMN password TO password_hash")
            for row in self._db.execute("SELECT id, password_hash FROM projects").fetchall():
                if not is_password_hash(row["password_hash"]):
                    self._db.execute("UPDATE projects SET password_hash = ? WHERE id = ?",
                                     (hash_password(row["password_hash"]), row["id"]))

    def _project_columns(self) -> set[str]:
        return {row["name"] for row in self._db.execute("PRAGMA table_info(projects)")}

    def close(self) -> None:
        self._db.close()

    # --- meta ------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row["value"]

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # --- projects and credentials ----------------------------------------------------------------

    def insert_project(self, project: Project, ak: str, sk: str, created_ms: int) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT INTO projects(id, name, user_id, user_name, domain_name, password_hash, created_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (project.id, project.name, project.user_id, project.user_name, project.domain_name,
                 project.password_hash, created_ms))
            self._db.execute("INSERT INTO credentials(ak, sk, project_id) VALUES (?, ?, ?)",
                             (ak, sk, project.id))

    def _project(self, where: str, args: tuple[Any, ...]) -> Project | None:
        row = self._db.execute(
            f"SELECT id, name, user_id, user_name, domain_name, password_hash FROM projects WHERE {where}",
            args).fetchone()
        return None if row is None else Project(**dict(row))

    def set_password_hash(self, project_id: str, password_hash: str) -> None:
        self._db.execute("UPDATE projects SET password_hash = ? WHERE id = ?", (password_hash, project_id))

    def project_by_id(self, project_id: str) -> Project | None:
        return self._project("id = ?", (project_id,))

    def project_by_name(self, name: str) -> Project | None:
        return self._project("name = ?", (name,))

    def project_by_user(self, user_name: str, domain_name: str) -> Project | None:
        return self._project("user_name = ? AND domain_name = ?", (user_name, domain_name))

    def credentials_of(self, project_id: str) -> tuple[str, str] | None:
        row = self._db.execute("SELECT ak, sk FROM credentials WHERE project_id = ? ORDER BY rowid LIMIT 1",
                               (project_id,)).fetchone()
        return None if row is None else (row["ak"], row["sk"])

    def credential(self, ak: str) -> tuple[str, Project] | None:
        """``(sk, project)`` of an access key in one query (this runs on every signed request)."""
        row = self._db.execute(
            "SELECT c.sk, p.id, p.name, p.user_id, p.user_name, p.domain_name, p.password_hash "
            "FROM credentials c JOIN projects p ON p.id = c.project_id WHERE c.ak = ?", (ak,)).fetchone()
        if row is None:
            return None
        values = dict(row)
        return values.pop("sk"), Project(**values)

    # --- tokens ------------------------------------------------------------------------------

    def insert_token(self, token_sha256: str, project_id: str, expires_ms: int, now_ms: int) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            # a day-old token is useless; dropping them here keeps the table small without a timer
            self._db.execute("DELETE FROM tokens WHERE expires_ms < ?", (now_ms - 86_400_000,))
            self._db.execute("INSERT INTO tokens(token_sha256, project_id, expires_ms) VALUES (?, ?, ?)",
                             (token_sha256, project_id, expires_ms))

    def token(self, token_sha256: str) -> tuple[str, int] | None:
        """``(project_id, expires_ms)`` of an issued token, or ``None``."""
        row = self._db.execute("SELECT project_id, expires_ms FROM tokens WHERE token_sha256 = ?",
                               (token_sha256,)).fetchone()
        return None if row is None else (row["project_id"], row["expires_ms"])

    # --- instances ---------------------------------------------------------------------------

    def insert_instance(self, record: InstanceRecord) -> None:
        """Raises ``sqlite3.IntegrityError`` if the name is taken in the project."""
        values = _to_row({k: getattr(record, k) for k in _INSTANCE_COLUMNS})
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self._db.execute(f"INSERT INTO instances({columns}) VALUES ({marks})", tuple(values.values()))

    def update_instance(self, instance_id: str, **changes: Any) -> InstanceRecord | None:
        """Set some columns of one instance; returns the updated record (``None`` if it is gone)."""
        unknown = set(changes) - set(_INSTANCE_COLUMNS)
        if unknown:
            raise KeyError(f"no such instance column: {sorted(unknown)}")
        values = _to_row(changes)
        assignments = ", ".join(f"{k} = ?" for k in values)
        self._db.execute(f"UPDATE instances SET {assignments} WHERE id = ?", (*values.values(), instance_id))
        return self.instance(instance_id)

    def delete_instance(self, instance_id: str) -> None:
        self._db.execute("DELETE FROM instances WHERE id = ?", (instance_id,))

    def instance(self, instance_id: str) -> InstanceRecord | None:
        row = self._db.execute("SELECT * FROM instances WHERE id = ?", (instance_id,)).fetchone()
        return None if row is None else _from_row(row)

    # An instance being deleted (status DELETED: its files are going, then its row) no longer
    # exists for its project: it is neither found, listed, counted nor in the way of its name.

    def instance_in_project(self, project_id: str, instance_id: str, api: str) -> InstanceRecord | None:
        """The project's instance made through ``api`` (another API's instance is not found)."""
        row = self._db.execute(
            "SELECT * FROM instances WHERE id = ? AND project_id = ? AND api = ? AND status != 'DELETED'",
            (instance_id, project_id, api)).fetchone()
        return None if row is None else _from_row(row)

    def instances_of(self, project_id: str, api: str) -> list[InstanceRecord]:
        """The project's instances made through ``api`` (each API lists only its own)."""
        rows = self._db.execute("SELECT * FROM instances WHERE project_id = ? AND api = ? AND status != 'DELETED'",
                                (project_id, api)).fetchall()
        return [_from_row(r) for r in rows]

    def page_of(self, project_id: str, api: str, query: InstanceQuery) -> tuple[int, list[InstanceRecord]]:
        """``(how many instances match, the page of them)``: filtered, sorted and cut by SQLite."""
        if query.matches_nothing():
            return 0, []
        where, args = query.where(project_id, api)
        total: int = self._db.execute(f"SELECT COUNT(*) FROM instances WHERE {where}", args).fetchone()[0]
        order, order_args = query.order_by()
        rows = self._db.execute(f"SELECT * FROM instances WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                                [*args, *order_args, -1 if query.limit is None else query.limit,
                                 query.offset]).fetchall()
        return total, [_from_row(r) for r in rows]

    def instances_with_status(self, statuses: Iterable[str]) -> list[InstanceRecord]:
        wanted = tuple(statuses)
        marks = ", ".join("?" for _ in wanted)
        rows = self._db.execute(f"SELECT * FROM instances WHERE status IN ({marks})", wanted).fetchall()
        return [_from_row(r) for r in rows]

    def all_instances(self) -> list[InstanceRecord]:
        return [_from_row(r) for r in self._db.execute("SELECT * FROM instances").fetchall()]

    def count_by_status(self) -> dict[str, int]:
        """How many instances, of every project, are in each status."""
        rows = self._db.execute("SELECT status, COUNT(*) FROM instances GROUP BY status ORDER BY status")
        return {status: count for status, count in rows}

    def count_instances(self, project_id: str) -> int:
        count: int = self._db.execute("SELECT COUNT(*) FROM instances WHERE project_id = ? AND status != 'DELETED'",
                                      (project_id,)).fetchone()[0]
        return count

    def name_taken(self, project_id: str, name: str) -> bool:
        """Whether an old-API instance of the project has this name (that API's names are unique).
        A DELETED row still holds its name until its files are gone, a moment later."""
        return self._db.execute("SELECT 1 FROM instances WHERE project_id = ? AND name = ? AND api = ?",
                                (project_id, name, DEVENVIRON)).fetchone() is not None
