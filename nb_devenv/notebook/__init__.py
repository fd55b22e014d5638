"""The notebook layer: the ``%devenv`` magics, their settings, the create form, the live
status widget and the shared watcher behind the widgets.

``%load_ext nb_devenv`` imports only the magics; widgets (and ipywidgets) load on first use.
Public names: ``wait`` (await a widget's status in a tutorial), ``InstanceStatusWidget``,
``CreateForm``, ``InstanceTable`` — also importable from :mod:`nb_devenv.notebook.widgets`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.lazy import lazy_exports

if TYPE_CHECKING:
    from .widgets import CreateForm, InstanceStatusWidget, InstanceTable, wait

__all__ = ["CreateForm", "InstanceStatusWidget", "InstanceTable", "wait"]

__getattr__, __dir__ = lazy_exports(__name__, {name: "widgets" for name in __all__}, globals())
