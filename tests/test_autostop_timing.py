"""An auto-stop deadline is met when it comes, not at the scheduler's next tick."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid

from nb_devenv.contract import with_defaults
from nb_devenv.server.data_dir import DataDir
from nb_devenv.server.lifecycle import Lifecycle, load_clock
from nb_devenv.server.provisioners.local import LAUNCHER_MODULE, LocalProcessProvisioner, local_handle
from nb_devenv.server.store import InstanceRecord, Project, Store, devenviron_run_facts


async def test_a_deadline_sooner_than_the_tick_stops_the_instance_on_time(tmp_path):
    layout = DataDir(tmp_path)
    layout.create()
    store = Store(layout.state_db)
    # a live process the provisioner takes for an instance server (its command line names the
    # launcher), in its own session as instance servers are
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", LAUNCHER_MODULE],
                               start_new_session=True)
    lifecycle = Lifecycle(store, LocalProcessProvisioner(layout, stop_grace=5.0), load_clock(store), tick=120.0)
    try:
        request = with_defaults({"name": "soon", "profile_id": "Python3", "flavor": "modelarts.vm.cpu.2u",
                                 "spec": {"storage": {"type": "EVS"}}})
        now = lifecycle.clock.now_ms()
        record = InstanceRecord(id=f"DE-{uuid.uuid4()}", project_id="p", name="soon", status="RUNNING",
                                request=request, created_ms=now, updated_ms=now, jupyter_token="t",
                                handle=local_handle(process.pid, 1), stop_timestamp=now + 400, **devenviron_run_facts(request))
        store.insert_project(Project("p", "p", "u", "u", "d", "x"), "AK", "SK", now)
        store.insert_instance(record)
        lifecycle.start_scheduler()
        deadline = time.monotonic() + 30  # far less than the 120 s tick, generous under load
        while (current := store.instance(record.id)) is not None and current.status != "STOPPED":
            assert time.monotonic() < deadline, f"still {current.status} long after its deadline"
            await asyncio.sleep(0.02)
        assert current is not None and current.failed_reasons is None  # stopped by auto-stop, not found dead
        assert process.wait(5) is not None
    finally:
        await lifecycle.shutdown()
        if process.poll() is None:
            process.kill()
            process.wait()
        store.close()
