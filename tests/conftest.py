import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def verify_report():
    """``verify`` on every theorem's fixed cases and refuted counterexamples, computed once per test process: no search
    (tested apart) and no proofs (tests/test_establish.py proves its own cases), which leave the verdicts unchanged."""
    from llgd_proof import api

    return api.verify(budget_seconds=0, proof_seconds=0)


@pytest.fixture(scope="module")
def cluster():
    """A real dask.distributed cluster on the loopback (2 worker processes), for a test file's Dask tests: its address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0") as local:
        yield local.scheduler_address
