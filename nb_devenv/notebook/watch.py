"""The watcher behind the widgets: the client's poller (:mod:`nb_devenv.client._poller`), one
list request per poll for every watched instance; :mod:`nb_devenv.notebook.widgets.runtime`
keeps one per kernel loop and connection.
"""

from __future__ import annotations

from nb_devenv.client._poller import InstanceHub, Subscription

__all__ = ["Subscription", "InstanceHub"]
