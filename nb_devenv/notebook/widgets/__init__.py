"""The notebook UI: the create form, the live status widget, and rich magic results.

Stock ipywidgets 8 controls only (no front-end extension), so they render wherever ipywidgets
does (JupyterLab 4, Notebook 7, VS Code); each has a one-line ``repr`` for everywhere else.

>>> form = CreateForm()                       # fill in, click Create -> turns into the status
>>> w = InstanceStatusWidget("4c7f…")         # re-attach to an existing instance
>>> await wait(w, until="RUNNING")            # tutorials: wait, and store the final state

Stable CSS classes for browser tests: ``nb-devenv-form``, ``nb-devenv-status``,
``nb-devenv-status-value``, ``nb-devenv-state-<running|transition|stopped|failed|deleted>``,
``nb-devenv-countdown``, ``nb-devenv-countdown-bar``, ``nb-devenv-warning``,
``nb-devenv-open-link``, ``nb-devenv-error``, ``nb-devenv-field-invalid``,
``nb-devenv-field-message``, ``nb-devenv-preview``, ``nb-devenv-list``. Button descriptions are
exactly "Create", "Stop", "Start", "Delete", "Refresh" and "Open".
"""

from .form import CreateForm, field_for_path, flavor_option_label
from .results import InstanceTable, KeyValueView, Message
from .runtime import ClientSettings, hub_for, shutdown
from .status import LINK_TTL, WARN_BELOW, InstanceStatusWidget
from .waiting import resend_state, wait

__all__ = [
    "CreateForm",
    "InstanceStatusWidget",
    "InstanceTable",
    "KeyValueView",
    "Message",
    "ClientSettings",
    "wait",
    "resend_state",
    "hub_for",
    "shutdown",
    "field_for_path",
    "flavor_option_label",
    "LINK_TTL",
    "WARN_BELOW",
]
