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

__all__ = ["esc", "family", "badge", "TONES", "TEXT", "MUTED", "LINK", "tone_text", "tone_badge",
           "ERROR_TEXT", "WARN_TEXT", "muted", "html_part", "set_hidden", "set_family_class", "set_tone_class", "hold_sync_all", "STYLE"]

# --- the palette: the one home of every colour the widgets use ---------------------------------------
#
# Every colour is a JupyterLab theme variable, so the widgets follow Light, Dark and any other
# theme (Notebook 7 uses the same themes); the fallback after the comma serves front ends that do
# not define them (classic Notebook, nbviewer), which are light. Text of a tone is its hue mixed
# 60/40 with the theme's strongest text colour (``--jp-ui-font-color0``: black in Light, white in
# Dark): no single ``--jp-warn-color*`` reaches 4.5:1 on both Light's white and Dark's #111
# (``--jp-warn-color0`` is 3.8:1 on white, ``--jp-error-color0`` 3.8:1 on #111), the mix does
# (5.4:1 or more on both, measured by tests/test_browser.py). A browser without ``color-mix``
# keeps the declaration before it.

#: tone -> its hue: the status families, and "warn" / "critical" for a running instance short of time
TONES = {
    "running": "var(--jp-success-color1, #388e3c)",
    "transition": "var(--jp-brand-color1, #1976d2)",
    "stopped": "var(--jp-ui-font-color2, #757575)",
    "failed": "var(--jp-error-color1, #d32f2f)",
    "deleted": "var(--jp-ui-font-color2, #757575)",
    "unknown": "var(--jp-ui-font-color2, #757575)",
    "warn": "var(--jp-warn-color1, #f57c00)",
    "critical": "var(--jp-error-color1, #d32f2f)",
}
#: what a browser without ``color-mix`` shows as a tone's text (dark enough on white)
_TONE_TEXT_FALLBACK = {"running": "#1b5e20", "transition": "#0d47a1", "failed": "#b71c1c", "warn": "#8a4b00",
                       "critical": "#b71c1c"}
#: ordinary text, secondary text (details, hints: 4.6:1 on Light's white, 6.1:1 on Dark's #111), links
TEXT = "var(--jp-ui-font-color1, rgba(0,0,0,.87))"
MUTED = "var(--jp-ui-font-color2, #616161)"
LINK = "var(--jp-content-link-color, #0d47a1)"
_STRONG = "var(--jp-ui-font-color0, #000)"
_BACKGROUND = "var(--jp-layout-color0, #fff)"


def tone_text(tone: str) -> str:
    """CSS declarations for text in ``tone`` (one of :data:`TONES`) on the page's background."""
    fallback = _TONE_TEXT_FALLBACK.get(tone, "#424242")
    return f"color:{fallback};color:color-mix(in srgb, {TONES[tone]} 60%, {_STRONG})"


def tone_badge(tone: str) -> str:
    """CSS declarations of a pill in ``tone``: its text on a tint of its hue, framed by the hue."""
    return (f"{tone_text(tone)};background:transparent;"
            f"background:color-mix(in srgb, {TONES[tone]} 15%, {_BACKGROUND});border:1px solid {TONES[tone]}")


#: text of an error ("✗ …", "⚠ …") and of a caution (sold out, needs permission)
ERROR_TEXT = tone_text("failed")
WARN_TEXT = tone_text("warn")


def muted(html_text: str, css_class: str = "", tag: str = "span") -> str:
    """``html_text`` (already escaped) as secondary text."""
    cls = f' class="{css_class}"' if css_class else ""
    return f'<{tag}{cls} style="color:{MUTED}">{html_text}</{tag}>'


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


def badge(status: str, text: str | None = None, *, tone: str | None = None, elapsed: str = "") -> str:
    """A pill with the status (classes ``nb-devenv-badge nb-devenv-state-<family>``), coloured by
    ``tone`` (default: the status family). A transition carries a turning indicator (class
    ``nb-devenv-spinner``) and ``elapsed``, the time it has taken so far."""
    fam = family(status)
    label = esc(text if text is not None else (status or "…"))
    spinner = ""
    if fam == "transition":
        spinner = ' <span class="nb-devenv-spinner" aria-hidden="true">⟳</span>'
        if elapsed:
            spinner += f' <span class="nb-devenv-elapsed">{esc(elapsed)}</span>'
    return (f'<span class="nb-devenv-badge nb-devenv-state-{fam}" '
            f'style="{tone_badge(tone or fam)};padding:0 8px;border-radius:10px;white-space:nowrap;'
            f'font-weight:600;font-family:monospace">{label}{spinner}</span>')


def html_part(css_class: str, value: str = "") -> widgets.HTML:
    """An ``HTML`` part with its stable CSS class (what browser tests and the stylesheet find)."""
    part = widgets.HTML(value)
    part.add_class(css_class)
    return part


def set_hidden(widget: widgets.DOMWidget, hidden: bool) -> None:
    """Take a part out of the page (CSS ``display: none``) or put it back."""
    widget.layout.display = "none" if hidden else None


def _set_prefixed_class(widget: widgets.DOMWidget, prefix: str, value: str) -> None:
    classes = [c for c in widget._dom_classes if not c.startswith(prefix)]
    classes.append(f"{prefix}{value}")
    if tuple(classes) != tuple(widget._dom_classes):  # sent only when it changes
        widget._dom_classes = tuple(classes)


def set_family_class(widget: widgets.DOMWidget, status: str) -> None:
    """Give ``widget`` the class ``nb-devenv-state-<family>`` of ``status`` instead of the one it
    had (sent only when it changes)."""
    _set_prefixed_class(widget, "nb-devenv-state-", family(status))


def set_tone_class(widget: widgets.DOMWidget, tone: str) -> None:
    """Give ``widget`` the class ``nb-devenv-tone-<tone>`` (its border colour) instead of the one it had."""
    _set_prefixed_class(widget, "nb-devenv-tone-", tone)


@contextlib.contextmanager
def hold_sync_all(parts: Iterable[widgets.Widget]) -> Iterator[None]:
    """``hold_sync()`` of every part at once: one message per changed widget, sent at the end."""
    with contextlib.ExitStack() as stack:
        for part in parts:
            stack.enter_context(part.hold_sync())
        yield


#: the stylesheet the form and the status widget carry (an ``HTML`` widget holding a ``<style>``:
#: stock controls only, no front-end extension); it gives the CSS classes their look and layout
STYLE = "<style>" + " ".join([
    ".nb-devenv-field-invalid input, .nb-devenv-field-invalid textarea, .nb-devenv-field-invalid select,"
    f" .nb-devenv-field-invalid button {{border: 1px solid {TONES['failed']} !important;"
    f" box-shadow: 0 0 0 1px color-mix(in srgb, {TONES['failed']} 25%, transparent);}}",
    f".nb-devenv-status {{border-left: 4px solid {TONES['unknown']}; padding-left: 8px;}}",
    *(f".nb-devenv-status.nb-devenv-tone-{tone} {{border-left-color: {hue};}}" for tone, hue in TONES.items()),
    ".nb-devenv-preview pre {max-height: 18em; overflow: auto; margin: 0;}",
    # the preview's closed header: ipywidgets draws it in a secondary grey (4.4:1 in Light)
    f".nb-devenv-form .jupyter-widget-Collapse-header, .nb-devenv-form .lm-Collapse-header,"
    f" .nb-devenv-form .p-Collapse-header {{color: {TEXT};}}",
    # rows wrap between their parts at narrow widths; a part breaks only between its chunks
    # (class nb-devenv-nowrap), buttons keep their size; wrapped text keeps a text's line height
    ".nb-devenv-status .nb-devenv-row {flex-wrap: wrap; column-gap: 12px; align-items: center; max-width: 100%;}",
    ".nb-devenv-status .nb-devenv-row > * {min-width: 0;}",
    ".nb-devenv-status .jupyter-button {flex: 0 0 auto;}",
    ".nb-devenv-status .widget-html-content {line-height: 1.45; padding: 4px 0;}",
    ".nb-devenv-nowrap {white-space: nowrap;}",
    "@keyframes nb-devenv-spin {to {transform: rotate(360deg);}}",
    ".nb-devenv-spinner {display: inline-block; animation: nb-devenv-spin 1.2s linear infinite;}",
    "@media (prefers-reduced-motion: reduce) {.nb-devenv-spinner {animation-duration: 4s;}}",
    # a widget's static snapshot is its own output, right after the live view's (snapshot.py):
    # hidden while the view is rendered (this sheet is in the page only then), shown otherwise.
    # JupyterLab 4 and Notebook 7 (.jp-OutputArea-child), classic Notebook (.output_area)
    ".jp-OutputArea-child:has(.nb-devenv-live) + .jp-OutputArea-child:has(.nb-devenv-snapshot),"
    " .output_area:has(.nb-devenv-live) + .output_area:has(.nb-devenv-snapshot) {display: none;}",
]) + "</style>"
