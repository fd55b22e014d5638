"""What a project may create on this server, whichever API it asks through.

Both API dialects admit instances by the same facts, which only the server knows: how many
instances a project holds (one quota for both APIs: they run on the same machine), which
flavors that need a permission were granted (``--grant-flavor``), and which flavors this
machine cannot run at all (GPU flavors without a GPU: the provisioner knows). One home, so the
two dialects cannot drift apart.
"""

from __future__ import annotations

from typing import Iterable

from nb_devenv.contract import FLAVORS, Flavor

from .errors import ErrorAnswer
from .provisioners.base import Provisioner
from .store import Project, Store

__all__ = ["Admission"]


class Admission:
    """The quota, the granted flavors and the machine's hardware, checked for a create.

    Parameters
    ----------
    store
        Counts the project's instances (of both APIs).
    provisioner
        Knows whether this machine has a GPU.
    max_instances
        Instances a project may hold (ModelArts.6302 beyond).
    granted_flavors
        Flavors that need a permission and have been granted (``--grant-flavor``).
    """

    def __init__(self, store: Store, provisioner: Provisioner, max_instances: int, granted_flavors: Iterable[str]):
        self.store = store
        self.provisioner = provisioner
        self.max_instances = max_instances
        self.granted_flavors = frozenset(granted_flavors)

    def flavor_permitted(self, flavor_name: str) -> bool:
        flavor = FLAVORS[flavor_name]
        return not flavor.needs_permission or flavor.name in self.granted_flavors

    def sold_out(self, flavor: Flavor) -> bool:
        """Whether this machine lacks what ``flavor`` needs (a GPU)."""
        return self.provisioner.sold_out(flavor)

    def sold_out_names(self) -> frozenset[str]:
        return frozenset(name for name, flavor in FLAVORS.items() if self.sold_out(flavor))

    def check_quota(self, project: Project) -> None:
        """ModelArts.6302 once the project holds :attr:`max_instances` instances of either API."""
        if self.store.count_instances(project.id) >= self.max_instances:
            raise ErrorAnswer("ModelArts.6302", detail=f"this server allows {self.max_instances} instances "
                                                       "per project, of both APIs (--max-instances)")

    def check_flavor_permitted(self, flavor_name: str) -> None:
        """ModelArts.6328 for a flavor that needs a grant this server has not given."""
        if not self.flavor_permitted(flavor_name):
            raise ErrorAnswer("ModelArts.6328", detail=f"flavor {flavor_name} is not granted on this server "
                                                       f"(--grant-flavor {flavor_name})")

    def check_runnable(self, flavor_name: str) -> None:
        """ModelArts.6329 (sold out) for a flavor this machine cannot run."""
        flavor = FLAVORS[flavor_name]
        if self.sold_out(flavor):
            raise ErrorAnswer("ModelArts.6329", detail=f"flavor {flavor_name} needs a {flavor.hardware}, and the "
                                                       "machine this server runs on has none")
