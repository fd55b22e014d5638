"""Static rich results of the magics: the instance, image and flavor tables, key/value views,
one-line messages.

Each has ``__repr__`` (plain text for terminal IPython, nbconvert to text, GitHub) and
``_repr_html_`` (escaped HTML for notebooks). No widget, no comm: they survive saving as is.
"""

from __future__ import annotations

from typing import Generic, Iterable, Iterator, Mapping, Sequence, TypeVar

from nb_devenv.client._models import Instance, NotebookFlavor, NotebookImage
from nb_devenv.client._tables import (
    COLUMNS,
    FLAVOR_COLUMNS,
    IMAGE_COLUMNS,
    flavor_row,
    image_row,
    instance_row,
    rows_text,
    text_table,
)

from ._html import MUTED, badge, esc

__all__ = ["InstanceTable", "ImageTable", "FlavorTable", "KeyValueView", "Message"]

T = TypeVar("T")


class InstanceTable:
    """Instances as a table: name, id, status, flavor, storage, time left (``%devenv list``).

    ``time left`` is computed when the table is rendered, from each instance's
    ``stop_timestamp`` and clock.
    """

    def __init__(self, instances: Iterable[Instance], total_count: int | None = None):
        self.instances: list[Instance] = list(instances)
        self.total_count = len(self.instances) if total_count is None else total_count

    def __len__(self) -> int:
        return len(self.instances)

    def __iter__(self) -> Iterator[Instance]:
        return iter(self.instances)

    def __getitem__(self, index: int) -> Instance:
        return self.instances[index]

    def rows(self) -> list[dict[str, str]]:
        return [instance_row(i) for i in self.instances]

    def _footer(self) -> str:
        if self.total_count > len(self.instances):
            return f"{len(self.instances)} of {self.total_count} instances"
        return f"{len(self.instances)} instance{'s' if len(self.instances) != 1 else ''}"

    def __repr__(self) -> str:
        if not self.instances:
            return "no instances"
        return f"{text_table(self.instances)}\n({self._footer()})"

    def _repr_html_(self) -> str:
        if not self.instances:
            return '<div class="nb-devenv-list nb-devenv-list-empty"><i>no instances</i></div>'
        head = "".join(f'<th style="text-align:left">{esc(c)}</th>' for c in COLUMNS)
        body = []
        for row in self.rows():
            cells = []
            for column in COLUMNS:
                value = row[column]
                if column == "status":
                    cells.append(f'<td class="nb-devenv-list-status">{badge(value)}</td>')
                elif column == "id":
                    cells.append(f"<td><code>{esc(value)}</code></td>")
                else:
                    cells.append(f"<td>{esc(value)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        return (f'<table class="nb-devenv-list"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>'
                f'<div style="color:{MUTED}">{esc(self._footer())}</div>')


class _CatalogueTable(Generic[T]):
    """A table of the Notebook API's catalogue (images, flavors): text and escaped HTML of the
    same rows (:mod:`nb_devenv.client._tables`)."""

    columns: tuple[str, ...] = ()
    css_class = ""
    what = ""

    def __init__(self, items: Iterable[T]):
        self.items: list[T] = list(items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    def rows(self) -> list[dict[str, str]]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{rows_text(self.rows(), self.columns, empty=f'no {self.what}s')}\n({len(self)} {self.what}s)"

    def _repr_html_(self) -> str:
        head = "".join(f'<th style="text-align:left">{esc(c)}</th>' for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{esc(row[c])}</td>" for c in self.columns) + "</tr>"
                       for row in self.rows())
        return (f'<table class="{self.css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
                f'<div style="color:{MUTED}">{len(self)} {self.what}s</div>')


class ImageTable(_CatalogueTable[NotebookImage]):
    """The server's images (``%devenv images``): name, tag, id, what they run on, show name."""

    columns, css_class, what = IMAGE_COLUMNS, "nb-devenv-images", "image"

    def rows(self) -> list[dict[str, str]]:
        return [image_row(i) for i in self.items]


class FlavorTable(_CatalogueTable[NotebookFlavor]):
    """The server's flavors (``%devenv flavors``), sold-out ones marked."""

    columns, css_class, what = FLAVOR_COLUMNS, "nb-devenv-flavors", "flavor"

    def rows(self) -> list[dict[str, str]]:
        return [flavor_row(f) for f in self.items]


class KeyValueView:
    """A titled two-column view (``%devenv config``); values are shown as given, so secrets
    must be masked before they get here."""

    def __init__(self, title: str, items: Mapping[str, object] | Sequence[tuple[str, object]]):
        self.title = title
        self.items: list[tuple[str, object]] = list(items.items() if isinstance(items, Mapping) else items)

    def __getitem__(self, key: str) -> object:
        for k, v in self.items:
            if k == key:
                return v
        raise KeyError(key)

    def __repr__(self) -> str:
        width = max((len(k) for k, _ in self.items), default=0)
        lines = [self.title] + [f"  {k.ljust(width)}  {v}" for k, v in self.items]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f'<tr><th style="text-align:left">{esc(k)}</th><td><code>{esc(v)}</code></td></tr>'
                       for k, v in self.items)
        return f'<div class="nb-devenv-config"><b>{esc(self.title)}</b><table>{rows}</table></div>'


class Message:
    """A one-line result (``stopped i-… : RUNNING → STOPPING``)."""

    def __init__(self, text: str, **facts: object):
        self.text = text
        self.facts = facts

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f'<span class="nb-devenv-message">{esc(self.text)}</span>'
