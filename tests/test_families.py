"""Public strategies draw what they promise; the family checker counts, shrinks and confirms."""

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from llgd_proof import api
from llgd_proof.search import strategies as lst
from llgd_proof.symbolic.losses import S
from llgd_proof.theorems import Verdict


@settings(max_examples=40)
@given(lst.grammar_losses())
def test_grammar_losses_have_their_known_minimiser(loss):
    """ℓ'(μ) = 0, ℓ(μ) = 0 and ℓ''(μ) > 0 for the μ the grammar announces, and ℓ ≥ 0 on a probe grid."""
    assert sympy.simplify(loss.at_minimiser(1)) == 0
    assert sympy.simplify(loss.at_minimiser(0)) == 0
    assert loss.at_minimiser(2) > 0
    values = [float(loss.expr.subs(S, loss.mu + sympy.Rational(k, 4))) for k in range(-40, 41)]
    assert min(values) >= -1e-12


@settings(max_examples=10)
@given(lst.catalog_losses(regularity="good"))
def test_good_catalog_draws_are_good(loss):
    assert api.regularity(loss).regularity_class == "good"


@settings(max_examples=200)
@given(lst.starting_points(same_sign=True, x_range=(0.05, 10), y_range=(0.01, 5)))
def test_same_sign_starts_in_the_box(start):
    x, y = float(start[0]), float(start[1])
    assert x * y > 0 and 0.05 <= abs(x) <= 10 and 0.01 <= abs(y) <= 5


@settings(max_examples=100)
@given(lst.starting_points(log_scale=True, x_range=(0.001, 100), y_range=(0.001, 100), same_sign=False, dim=2))
def test_log_scaled_starts_reach_both_ends(start):
    assert len(start) == 4 and all(0.00099 <= abs(float(v)) <= 100.1 for v in start)


@settings(max_examples=30)
@given(lst.catalog_losses(["logcosh", "quadratic", "pseudo-huber"]).flatmap(lambda loss: lst.learning_rates(loss).map(lambda h: (loss, h))))
def test_learning_rates_are_fractions_of_the_stable_step(pair):
    loss, h = pair
    assert 0 < float(h) < float(lst.reference_step(loss))


def test_family_check_passes_on_a_good_loss():
    report = api.check_family("convergence", loss="logcosh", ranges={"mu": (1, 2)}, examples=12, seed=5)
    assert report.counts["violated"] == 0 and report.counts["holds"] > 0
    assert sum(report.counts.values()) == report.examples


def test_t1_as_formalised_fails_for_small_mu():
    """A finding of the family checker, kept as a regression: theory.md's T1 (h < 1/(μℓ''(μ))) is false for
    log cosh with μ = 1/2 — h = 1.48 from (0.1, 2.4) diverges, confirmed 20 digits higher."""
    report = api.check_family("convergence-v1", loss="logcosh", ranges={"mu": (0.5, 2)}, examples=25, seed=5)
    assert report.counts["violated"] > 0 and report.confirmed
    case = report.counterexample.case
    assert float(case.loss_object.mu) < 1 and report.counterexample.evidence["status"] == "diverged"


def test_counterexample_is_shrunk_confirmed_and_reproducible():
    first = api.check_family("convergence", loss="quadratic", without=["good regularity", "step below balancing limit"], examples=40, seed=11)
    again = api.check_family("convergence", loss="quadratic", without=["good regularity", "step below balancing limit"], examples=40, seed=11)
    assert first.counterexample is not None and first.confirmed
    assert first.counterexample.evidence["status"] == "diverged"
    assert first.confirmation.verdict is Verdict.VIOLATED and first.confirmation.case.dps > first.counterexample.case.dps
    assert first.counts == again.counts
    assert first.counterexample.case.init == again.counterexample.case.init
    # hypothesis only accepts shortlex-smaller choice sequences, and h is the first choice drawn: shrinking
    # can trade a larger start for a smaller step, never the other way round
    assert float(first.counterexample.case.h) <= float(first.first_violations[0].h)


# -- the counting pass as a Dask graph (issue 11): the same report whatever runs the chunks -------------------

import json  # noqa: E402
import multiprocessing  # noqa: E402
import socket  # noqa: E402
import subprocess
import sys
from pathlib import Path

import pytest  # noqa: E402
from hypothesis import Phase  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

from llgd_proof.cli.main import main
from llgd_proof.errors import LlgdInputError
from llgd_proof.scale import workers
from llgd_proof.scale.workers import SchedulerError
from llgd_proof.search import families
from llgd_proof.theorems import get_theorem

ROOT = Path(__file__).resolve().parents[1]
BROKEN = dict(theorem="convergence", loss="quadratic", without=["good regularity", "step below balancing limit"], examples=40, seed=11)  # violated
REFUTED = dict(theorem="convergence-v1", loss="logcosh", ranges={"mu": (0.5, 0.5)}, examples=30, seed=5)  # theory.md §4: T1 v1 fails at μ = 1/2
HOLDING = dict(theorem="convergence", loss="pseudo-huber", ranges={"mu": (1, 2)}, examples=12, seed=5)  # several losses (interleaved chunks), no violation


def _outcome(report) -> dict:
    """Everything a property run reports about the mathematics (not where or how fast it ran)."""
    found = report.counterexample
    return {
        "counts": report.counts,
        "first_violations": [case.as_json() for case in report.first_violations],
        "counterexample": None if found is None else (found.case.as_json(), found.evidence.get("status"), found.evidence.get("steps")),
        "confirmation": None if report.confirmation is None else (report.confirmation.case.dps, report.confirmation.verdict),
    }


def test_drawing_does_not_depend_on_the_checks():
    """The counting pass checks the cases a generation-only pass draws: hypothesis generates the same cases, in the
    same order, when each is checked (nothing fails while counting, so nothing steers generation)."""
    theorem = get_theorem("convergence").without(*BROKEN["without"])
    strategy = lst.cases(families.family_losses("quadratic", {}), max_steps=20_000)
    checked = []

    @hypothesis_seed(BROKEN["seed"])
    @families._settings(BROKEN["examples"], [Phase.generate])
    @given(strategy)
    def count(case):
        checked.append((case, theorem.check(case).verdict))

    count()
    drawn = families.draw_cases(strategy, BROKEN["examples"], BROKEN["seed"])
    assert [case.as_json() for case in drawn] == [case.as_json() for case, _ in checked]
    assert any(verdict is Verdict.VIOLATED for _, verdict in checked)  # the run that steered nothing did find violations


def test_chunks_cover_every_case_once_and_never_mix_losses():
    strategy = lst.cases(families.family_losses("logcosh", {"mu": (1, 2)}), max_steps=20_000)
    drawn = families.draw_cases(strategy, 60, 3)
    chunks = families.chunk_cases(drawn)
    assert sorted(index for chunk in chunks for index in chunk) == list(range(len(drawn)))
    assert all(0 < len(chunk) <= families.CHUNK_CASES and len({str(drawn[i].loss_object.mu) for i in chunk}) == 1 for chunk in chunks)
    assert len({str(case.loss_object.mu) for case in drawn}) > 1 and chunks == families.chunk_cases(drawn)


def test_two_local_processes_give_the_in_process_report(capsys):
    """CLI, --workers 2 against --workers 1: the same counts, first violations, shrunk and confirmed counterexample."""
    argv = ["property", "convergence", "--loss", "quadratic", "--without", BROKEN["without"][0], "--without", BROKEN["without"][1],
            "--examples", str(BROKEN["examples"]), "--seed", str(BROKEN["seed"]), "--json"]
    assert main(argv + ["--workers", "2"]) == 0
    parallel = json.loads(capsys.readouterr().out)
    assert main(argv + ["--workers", "1"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert parallel["scheduler"] == "dask-processes" and parallel["workers"] == 2 and parallel["chunks"] >= 2
    assert local["scheduler"] == "in-process" and local["chunks"] == 0
    assert local["counts"]["violated"] > 0 and local["confirmed"] is True and local["counterexample"]["status"] == "diverged"
    for key in ("examples", "counts", "ok", "counterexample", "confirmed", "confirmation"):
        assert parallel[key] == local[key], key


def test_spawned_processes_give_the_in_process_report(monkeypatch):
    """Workers started from scratch (spawn: what a Jupyter kernel gets) compile their own objectives: same report."""
    monkeypatch.setattr(workers, "process_context", lambda: multiprocessing.get_context("spawn"))
    spawned = api.check_family(**BROKEN, workers=2)
    local = api.check_family(**BROKEN, workers=0)
    assert spawned.engine["scheduler"] == "dask-processes"
    assert local.counts["violated"] > 0 and local.confirmed
    assert _outcome(spawned) == _outcome(local)


@pytest.mark.skipif(sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods(), reason="no safe fork here")
def test_workers_are_forked_only_while_no_other_thread_could_hold_a_lock():
    """The one fork policy (``scale.workers.process_context``), in a fresh interpreter: fork while it runs one thread,
    and while only zarr's I/O threads run beside it (zarr resets them in a forked child); Dask's start method (spawn)
    while a thread of the program's own runs, and fork again once it has ended."""
    script = (
        "import tempfile, threading, zarr\n"
        "from llgd_proof.scale.workers import process_context\n"
        "seen = [process_context().get_start_method()]\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    zarr.open_array(folder + '/a.zarr', mode='w', shape=(4,), dtype='f8')[:] = 1.0\n"
        "    seen.append(f'{process_context().get_start_method()}:{threading.active_count()}')\n"
        "    stop = threading.Event(); own = threading.Thread(target=stop.wait); own.start()\n"
        "    seen.append(process_context().get_start_method())\n"
        "    stop.set(); own.join()\n"
        "    seen.append(process_context().get_start_method())\n"
        "print(' '.join(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    alone, with_zarr, with_own, after = done.stdout.split()
    method, threads = with_zarr.split(":")
    assert int(threads) > 1, "zarr started no thread: the second case would test nothing"
    assert (alone, method, with_own, after) == ("fork", "fork", "spawn", "fork")


@pytest.mark.parametrize("run", [REFUTED, HOLDING], ids=["violated", "holds"])
def test_a_local_cluster_gives_the_in_process_report(cluster, run):
    remote = api.check_family(**run, scheduler=cluster)
    local = api.check_family(**run, workers=1)
    assert remote.engine["scheduler"] == "dask-distributed" and remote.engine["workers"] == 2 and remote.engine["chunks"] >= 2
    assert (local.counts["violated"] > 0) == (run is REFUTED) and sum(local.counts.values()) == run["examples"]
    assert _outcome(remote) == _outcome(local)


def test_a_bad_scheduler_is_one_sentence_and_exit_2(capsys):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SchedulerError, match="no Dask scheduler answers"):
        api.check_family("convergence", loss="quadratic", examples=2, scheduler=f"tcp://127.0.0.1:{port}")
    assert main(["property", "convergence", "--loss", "quadratic", "--examples", "2", "--scheduler", "nonsense", "--json"]) == 2
    assert "not a Dask scheduler address" in json.loads(capsys.readouterr().out)["error"]
    for bad in (dict(workers=-1), dict(workers=True), dict(workers=1, scheduler="tcp://127.0.0.1:8786")):
        with pytest.raises(LlgdInputError):
            api.check_family("convergence", loss="quadratic", examples=2, **bad)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), mu=st.sampled_from([0.25, 0.5, 1.0, 2.0, 3.75]))
def test_starts_near_the_minimiser_set_have_the_asked_product_and_imbalance(data, mu):
    x0, y0 = (float(v) for v in data.draw(lst.starts_near_minimiser_set(mu, product=(0.55, 1.45), ratio=(1.5, 20.0))))
    assert x0 * y0 > 0  # one sign for both coordinates
    assert 0.55 * (1 - 1e-3) <= x0 * y0 / mu <= 1.45 * (1 + 1e-3)  # 4 significant digits move the product by < 0.1 %
    imbalance = max(abs(x0), abs(y0)) / min(abs(x0), abs(y0))
    assert 1.5 * (1 - 1e-3) <= imbalance <= 20.0 * (1 + 1e-3)
    # so T5 v2's "start near the minimiser set" |x0 y0 − μ| ≤ μ/2 holds on every such start
    assert abs(x0 * y0 - mu) <= mu / 2


def test_a_search_space_near_the_minimiser_set_draws_around_each_losss_own_mu():
    space = {"losses": ("logcosh",), "mu_values": (0.5, 2.0), "fraction": (0.5, 0.99), "near": {"product": (0.9, 1.1), "ratio": (2.0, 2.0)}}
    drawn = families.draw_cases(families.search_space(space), 20, 1)
    for case in drawn:
        mu = float(case.loss_object.mu)
        x0, y0 = (float(v) for v in case.init)
        assert 0.9 * (1 - 1e-3) <= x0 * y0 / mu <= 1.1 * (1 + 1e-3)
    assert {float(case.loss_object.mu) for case in drawn} == {0.5, 2.0}
