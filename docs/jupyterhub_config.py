# A JupyterHub on one machine for `nb-devenv serve --provisioner jupyterhub` (docs/team-deployment.md).
#
#   pip install jupyterhub configurable-http-proxy nb_devenv    # in the Hub's environment
#   openssl rand -hex 32 > nb-devenv-hub.token; chmod 600 nb-devenv-hub.token
#   NB_DEVENV_HUB_TOKEN_FILE=nb-devenv-hub.token jupyterhub -f docs/jupyterhub_config.py
#   nb-devenv serve --provisioner jupyterhub --hub-url http://127.0.0.1:8000/ \
#       --hub-token-file nb-devenv-hub.token --hub-api-url http://127.0.0.1:8081/hub/api
#
# Each nb_devenv project is a Hub user, each instance one of its named servers; the profile and
# the flavor arrive as `user_options` ({"profile": ..., "flavor": ..., "storage": ...}) and are
# mapped here from nb_devenv's own catalogue. On Kubernetes, KubeSpawner's `profile_list` does
# the same (docs/team-deployment.md).
import os
import shutil
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner

from nb_devenv.contract import FLAVORS, PROFILES

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

c.JupyterHub.ip = "127.0.0.1"  # the public proxy (the URL of --hub-url)
c.JupyterHub.port = 8000
c.JupyterHub.hub_ip = "127.0.0.1"  # the Hub itself (the URL of --hub-api-url)
c.JupyterHub.hub_port = 8081

# instances are named servers; a stopped one is kept (with its disk) until its instance is deleted,
# and named_server_limit_per_user counts the stopped ones too: 0 = no limit (nb-devenv has
# --max-instances)
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = 0
# the start answers at once (202) and nb_devenv follows the spawn's progress stream
c.JupyterHub.tornado_settings = {"slow_spawn_timeout": 0}

# nobody logs in to this Hub in a browser: nb_devenv hands out per-server tokens
c.JupyterHub.authenticator_class = "null"

# nb_devenv is a service whose token (the file given to --hub-token-file) has only what it uses
c.JupyterHub.services = [{
    "name": "nb-devenv",
    "api_token": Path(os.environ["NB_DEVENV_HUB_TOKEN_FILE"]).read_text().strip(),
}]
c.JupyterHub.load_roles = [{
    "name": "nb-devenv",
    "description": "nb_devenv: one Hub user per project, one named server per instance",
    "scopes": [
        "admin:users",  # create a project's Hub user (only an admin can make an admin)
        "servers",  # start, stop, remove and read the users' servers, and their progress
        "tokens",  # mint and revoke each instance's token (access:servers!server=u/s)
        "list:users",  # find servers left running after a crash of nb_devenv
    ],
    "services": ["nb-devenv"],
}]


class InstanceSpawner(SimpleLocalProcessSpawner):
    """Each named server works in its own directory (its EVS disk): kept while the server is
    stopped, removed with it (an OBS path, which outlives instances, is a directory of the user)."""

    def workdir(self) -> Path:
        storage = (self.user_options or {}).get("storage") or {}
        home = Path(self.home_dir)
        if storage.get("category") == "OBS" and storage.get("obs_path"):
            bucket_and_dir = str(storage["obs_path"]).removeprefix("obs://").strip("/")
            return home / "obs" / bucket_and_dir
        return home / "evs" / (self.name or "default")

    def delete_forever(self) -> None:
        if ((self.user_options or {}).get("storage") or {}).get("category") != "OBS":
            shutil.rmtree(self.workdir(), ignore_errors=True)


def apply_catalogue(spawner: InstanceSpawner) -> None:
    """Map nb_devenv's profile and flavor to this spawner, or refuse what this Hub cannot run
    (the message is the instance's failed_reasons)."""
    options = spawner.user_options or {}
    profile = PROFILES.get(str(options.get("profile", "Python3")))
    flavor = FLAVORS.get(str(options.get("flavor", "modelarts.vm.cpu.2u")))
    if profile is None or flavor is None:
        raise ValueError(f"unknown profile or flavor in {options!r}")
    if profile.python_major != 3:
        raise ValueError(f"profile {profile.id} (Python {profile.python_major}) is not available on this Hub; "
                         "use a Python 3 profile")
    if "GPU" in (profile.hardware, flavor.hardware):
        raise ValueError(f"this Hub has no GPU for {profile.id} on {flavor.name}; use a CPU flavor")
    spawner.cpu_limit = float(flavor.cpus)  # advisory for local processes; enforced by KubeSpawner
    spawner.mem_limit = f"{flavor.memory_gib}G"
    workdir = spawner.workdir()
    workdir.mkdir(parents=True, exist_ok=True)
    spawner.notebook_dir = str(workdir)


c.JupyterHub.spawner_class = InstanceSpawner
c.Spawner.pre_spawn_hook = apply_catalogue
c.SimpleLocalProcessSpawner.home_dir_template = "/tmp/nb-devenv-hub/{username}"
c.Spawner.default_url = "/lab"
# since JupyterHub 5 a ?token= in a page URL is ignored unless the server allows it; the links
# nb_devenv prints (nb-devenv open) carry the instance's server-scoped token that way
c.Spawner.environment = {"JUPYTERHUB_ALLOW_TOKEN_IN_URL": "1"}
# SimpleLocalProcessSpawner runs every server as the Hub's own OS user; Jupyter refuses root
# unless told (as nb_devenv's local provisioner does)
if os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]
