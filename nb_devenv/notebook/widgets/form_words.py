"""How the create forms word a broken rule for the person filling them in: the field's label as
the form shows it ("Auto-stop"), durations in hours and minutes, never API paths, seconds or
milliseconds.

The rules and their numbers stay in :mod:`nb_devenv.contract`: a violation carries its range in
``args`` and its code, and this module only words it. The CLI, the magics and the API keep the
contract's own text (``ModelArts.6349  spec.auto_stop.duration: must be between ...``); the form
shows the code beside its words, so the two can be matched.
"""

from __future__ import annotations

from nb_devenv.contract import Violation

__all__ = ["hours_minutes", "in_words", "DURATION_RANGE_CODE"]

#: the code of "a duration outside the allowed range" in both dialects (its ``args``: min, max)
DURATION_RANGE_CODE = "ModelArts.6349"
#: how rules that read as a predicate of the field begin ("Name" + " must be ...")
_PREDICATES = ("must ", "may ", "is ", "are ", "can ")


def hours_minutes(seconds: float) -> str:
    """``1 h``, ``1 h 30 min``, ``45 min``, ``0 min``: a duration as the form's boxes take it."""
    total = int(seconds) // 60
    sign, total = ("-", -total) if total < 0 else ("", total)
    hours, minutes = divmod(total, 60)
    if hours and minutes:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{hours} h" if hours else f"{sign}{minutes} min"


def in_words(violation: Violation, label: str, *, seconds_per_unit: float = 1.0,
             typed_seconds: float | None = None) -> str:
    """``violation`` for a person: ``label`` (the field as shown) and the rule, a duration range
    in hours and minutes (``seconds_per_unit``: the request field's unit in seconds, 0.001 for
    milliseconds; ``typed_seconds``: what the boxes hold now)."""
    if violation.code == DURATION_RANGE_CODE and len(violation.args) == 2:
        low, high = (float(a) * seconds_per_unit for a in violation.args)
        now = f", not {hours_minutes(typed_seconds)}" if typed_seconds is not None else ""
        return f"{label} must be between {hours_minutes(low)} and {hours_minutes(high)}{now}"
    rule = violation.rule
    joiner = " " if rule.startswith(_PREDICATES) else ": "
    return f"{label}{joiner}{rule}"
