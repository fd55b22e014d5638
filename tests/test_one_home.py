"""Each rule, default and name has one home: these tests fail if a second copy comes back.

They read the package's own code and objects (no server): what the CLI and the magics accept,
which defaults the client, the hub and the magics start from, where file names are spelled.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nb_devenv
from nb_devenv.core import paths

PACKAGE = Path(nb_devenv.__file__).parent


def _string_constants(path: Path) -> set[str]:
    """Every string literal of a module's code (docstrings left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}


def test_data_dir_file_names_are_spelled_only_in_core_paths():
    names = {paths.CREDENTIALS_FILE, paths.SERVER_FILE, paths.SERVER_LOG}
    spelled = {str(path.relative_to(PACKAGE)): sorted(names & _string_constants(path))
               for path in PACKAGE.rglob("*.py") if path != Path(paths.__file__)}
    assert {where: found for where, found in spelled.items() if found} == {}


def test_server_and_client_find_the_same_files():
    from nb_devenv.server.data_dir import DataDir

    layout = DataDir(Path("/data"))
    assert layout.credentials_file == Path("/data") / paths.CREDENTIALS_FILE
    assert layout.server_file == Path("/data") / paths.SERVER_FILE
