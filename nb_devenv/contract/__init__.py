"""The API contract: what a request may hold and what an answer means. No I/O, no Jupyter, no HTTP.

* :mod:`.error_codes` — the ModelArts error codes this project speaks, each written once;
* :mod:`.catalogue` — the profiles and flavors, with what each needs from a machine;
* :mod:`.devenviron` — the DevEnviron (old) API: rules, statuses, request bodies, JSON Schemas.

Every other layer (client, notebook, server, CLI) takes its rules from here, so a rule
changed here changes everywhere. The names of the DevEnviron dialect are re-exported.
"""

from . import devenviron
from .catalogue import FLAVORS, PROFILES, Flavor, Profile, flavor_names, profile_ids
from .devenviron import *  # noqa: F403 - the dialect's names, as its __all__ lists them
from .durations import AUTO_STOP_OFF, AutoStopSetting, format_duration, parse_duration
from .error_codes import ERROR_CODES, ErrorCode, by_code

__all__ = [
    "ERROR_CODES", "ErrorCode", "by_code",
    "FLAVORS", "PROFILES", "Flavor", "Profile", "flavor_names", "profile_ids",
    "AUTO_STOP_OFF", "AutoStopSetting", "format_duration", "parse_duration",
]
__all__ += devenviron.__all__
