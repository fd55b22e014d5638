"""Small helpers shared by the widgets: escaping, status families and their colours, and the
few things every part does (an HTML part with its CSS class, hiding it, batching its updates).

Everything that came from the server (names, descriptions, failure messages, URLs) passes
through :func:`esc` before it is put into an ``HTML`` widget or a ``_repr_html_``.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any, Iterable, Iterator

import ipywidgets as widgets

from nb_devenv.client._api import failed_any, transitional_any
from nb_devenv.contract import FAILED, STATUSES, TRANSITIONAL

__all__ = ["esc", "family", "badge", "FAMILY_COLOURS", "html_part", "set_hidden", "set_family_class",
           "hold_sync_all", "STYLE"]

#: status family -> colour of its badge (GitHub Primer palette: readable on light and dark themes)
FAMILY_COLOURS = {
    "running": "#1a7f37",
    "transition": "#0969da",
    "stopped": "#6e7781",
    "failed": "#cf222e",
    "deleted": "#57606a",
    "unknown": "#8c959f",
}


def esc(value: Any) -> str:
    """``html.escape`` of ``str(value)`` (quotes too: values also land in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def family(status: str) -> str:
    """The visual family of a status (of either API): running, transition, stopped, failed,
    deleted or unknown. (The old API's statuses are judged without loading the Notebook
    dialect.)"""
    if status == "RUNNING":
        return "running"
    old = status in STATUSES
    if status in (TRANSITIONAL if old else transitional_any()):
        return "transition"
    if status in (FAILED if old else failed_any()):
        return "failed"
    if status in ("STOPPED", "UNAVAILABLE", "FROZEN"):
        return "stopped"
    if status == "DELETED":
        return "deleted"
    return "unknown"


def badge(status: str, text: str | None = None) -> str:
    """A coloured pill with the status (classes ``nb-devenv-badge nb-devenv-state-<family>``)."""
    fam = family(status)
    label = esc(text if text is not None else (status or "…"))
    spinner = " ⟳" if fam == "transition" else ""
    return (f'<span class="nb-devenv-badge nb-devenv-state-{fam}" '
            f'style="background:{FAMILY_COLOURS[fam]};color:#fff;padding:1px 9px;border-radius:10px;'
            f'font-weight:600;font-family:monospace">{label}{spinner}</span>')


def html_part(css_class: str, value: str = "") -> widgets.HTML:
    """An ``HTML`` part with its stable CSS class (what browser tests and the stylesheet find)."""
    part = widgets.HTML(value)
    part.add_class(css_class)
    return part


def set_hidden(widget: widgets.DOMWidget, hidden: bool) -> None:
    """Take a part out of the page (CSS ``display: none``) or put it back."""
    widget.layout.display = "none" if hidden else None


def set_family_class(widget: widgets.DOMWidget, status: str) -> None:
    """Give ``widget`` the class ``nb-devenv-state-<family>`` of ``status`` instead of the one it
    had (sent only when it changes)."""
    classes = [c for c in widget._dom_classes if not c.startswith("nb-devenv-state-")]
    classes.append(f"nb-devenv-state-{family(status)}")
    if tuple(classes) != tuple(widget._dom_classes):
        widget._dom_classes = tuple(classes)


@contextlib.contextmanager
def hold_sync_all(parts: Iterable[widgets.Widget]) -> Iterator[None]:
    """``hold_sync()`` of every part at once: one message per changed widget, sent at the end."""
    with contextlib.ExitStack() as stack:
        for part in parts:
            stack.enter_context(part.hold_sync())
        yield


#: the stylesheet the form and the status widget carry (an ``HTML`` widget holding a ``<style>``:
#: stock controls only, no front-end extension); it gives the CSS classes their look
STYLE = "<style>" + " ".join([
    ".nb-devenv-field-invalid input, .nb-devenv-field-invalid textarea, .nb-devenv-field-invalid select,"
    " .nb-devenv-field-invalid button {border: 1px solid #cf222e !important;"
    " box-shadow: 0 0 0 1px rgba(207,34,46,.25);}",
    ".nb-devenv-status {border-left: 4px solid #8c959f; padding-left: 8px;}",
    *(f".nb-devenv-status.nb-devenv-state-{fam} {{border-left-color: {colour};}}"
      for fam, colour in FAMILY_COLOURS.items()),
    ".nb-devenv-preview pre {max-height: 18em; overflow: auto; margin: 0;}",
]) + "</style>"
