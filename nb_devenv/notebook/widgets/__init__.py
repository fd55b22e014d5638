"""The notebook UI: the create form, the live status widget, and rich magic results.

Stock ipywidgets 8 controls only (no front-end extension), so they render wherever ipywidgets
does (JupyterLab 4, Notebook 7, VS Code); each has a one-line ``repr`` for everywhere else.

>>> form = CreateForm()                       # fill in, click Create -> turns into the status
>>> form = CreateForm(api="notebooks")        # the Notebook API's: the server's images and flavors
>>> w = InstanceStatusWidget("4c7f…")         # re-attach to an existing instance
>>> await wait(w, until="RUNNING")            # tutorials: wait, and store the final state

Stable CSS classes for browser tests: ``nb-devenv-form``, ``nb-devenv-status``,
``nb-devenv-status-value``, ``nb-devenv-state-<running|transition|stopped|failed|deleted>``,
``nb-devenv-countdown``, ``nb-devenv-countdown-bar``, ``nb-devenv-warning``,
``nb-devenv-open-link``, ``nb-devenv-error``, ``nb-devenv-field-invalid``,
``nb-devenv-field-message``, ``nb-devenv-preview``, ``nb-devenv-list``; the lease row of the
status widget ``nb-devenv-lease`` with its line ``nb-devenv-lease-note`` and, for a running
Notebook API instance, the Extend box ``nb-devenv-extend`` of buttons
``nb-devenv-extend-button``; the catalogue tables ``nb-devenv-images`` and ``nb-devenv-flavors``.
Button descriptions are exactly "Create", "Stop", "Start", "Delete", "Refresh", "Open", and the
Extend buttons "+1 h" and "+4 h".
"""

from typing import TYPE_CHECKING

from ...core.lazy import lazy_exports
from .form import CreateForm, field_for_path, flavor_option_label
from .form_base import FormShell
from .results import FlavorTable, ImageTable, InstanceTable, KeyValueView, Message
from .runtime import ClientSettings, hub_for, shutdown
from .status import LINK_TTL, WARN_BELOW, InstanceStatusWidget
from .waiting import resend_state, wait

if TYPE_CHECKING:
    from .form_notebooks import NotebookCreateForm, image_option_label, notebook_field_for_path, notebook_flavor_label

__all__ = [
    "CreateForm",
    "NotebookCreateForm",
    "FormShell",
    "InstanceStatusWidget",
    "InstanceTable",
    "ImageTable",
    "FlavorTable",
    "KeyValueView",
    "Message",
    "ClientSettings",
    "wait",
    "resend_state",
    "hub_for",
    "shutdown",
    "field_for_path",
    "flavor_option_label",
    "notebook_field_for_path",
    "notebook_flavor_label",
    "image_option_label",
    "LINK_TTL",
    "WARN_BELOW",
]

# the Notebook API's form loads its dialect (rules, catalogue views): on first use
_LAZY = ("NotebookCreateForm", "image_option_label", "notebook_field_for_path", "notebook_flavor_label")
__getattr__, __dir__ = lazy_exports(__name__, dict.fromkeys(_LAZY, "form_notebooks"), globals())
