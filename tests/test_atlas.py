"""Atlas and sweep: the T1 contrast, the stationary rule, Dask (local and a real LocalCluster), the Zarr store
(resume after SIGINT/SIGKILL, self-healing of damaged chunks, refusal of foreign stores), figures and bad input."""

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy
import pytest

from llgd_proof import api
from llgd_proof.analysis.starts import Box, make_starts
from llgd_proof.engines.batch import STATUS_CODES, batch_gradient_descent
from llgd_proof.engines.precise import gradient_descent
from llgd_proof.engines.stopping import Status
from llgd_proof.errors import StoreWarning
from llgd_proof.scale.atlas import atlas, run_starts
from llgd_proof.scale.store import StoreError, load
from llgd_proof.scale.summary import _as_grid, atlas_summary
from llgd_proof.symbolic.losses import catalog_loss, parse_loss_spec
from llgd_proof.symbolic.objective import general_objective, product_objective

ROOT = Path(__file__).resolve().parents[1]
SMALL = dict(grid=12, same_sign=True, log_scale=True, max_steps=3000)


def test_good_losses_converge_where_the_square_loss_diverges():
    """Theory T1's contrast: at h = 0.9 (μ = 1) good losses converge from (nearly) every same-sign start in the
    box |x0| ≤ 30, |y0| ≤ 5; the square loss loses a large fraction."""
    dataset = api.atlas(["logcosh", "huber", "pseudo-huber", "quadratic"], 0.9, samples=1500, same_sign=True, seed=1, confirm=4)
    summaries = {entry["loss"]: entry for entry in atlas_summary(dataset)["losses"]}
    for good in ("logcosh", "huber", "pseudo-huber"):
        assert summaries[good]["fractions"]["converged"] >= 0.999
        assert summaries[good]["regularity_class"] == "good"
        assert summaries[good]["among_converged"]["eos"] > 0.9
    assert summaries["quadratic"]["fractions"]["diverged"] > 0.3
    for entry in summaries.values():
        assert entry["confirm"]["agreement"] == 1.0
        assert sum(entry["fractions"].values()) == pytest.approx(1.0)
    # the Dataset is labelled: a loss is selected by name
    converged = (dataset.status.sel(loss="huber") == STATUS_CODES[Status.CONVERGED]).mean()
    assert float(converged) == pytest.approx(summaries["huber"]["fractions"]["converged"])


def test_starts_respect_box_and_signs():
    box = Box(0.5, 3, 0.1, 2)
    same = make_starts(box, samples=500, same_sign=True, seed=0)
    assert (same[:, 0] * same[:, 1] > 0).all()
    assert (numpy.abs(same[:, 0]) >= 0.5).all() and (numpy.abs(same[:, 0]) <= 3).all()
    grid = make_starts(box, grid=10, same_sign=False, log_scale=True)
    assert grid.shape == (100, 2) and (grid[:, 0] < 0).any() and (grid[:, 1] < 0).any()
    with pytest.raises(api.LlgdInputError):
        Box(0, 1, 1, 2)


# -- the stopping rule means what it says ----------------------------------------------------------


def test_saddle_and_flat_tail_are_never_converged():
    """At the origin ∇f = 0 but xy − μ = −μ: a saddle of f = ℓ(xy), never a minimiser (stationary). In the flat
    tail of ℓ(s) = log(1 + (s − 1)²) at s = 10²² the gradient (≈ 2·10⁻¹¹) is tiny, yet s is far from μ and GD has
    not stopped: not critical by the scale-free rule 1 (‖∇f‖·‖θ‖ ≈ 2 against τ·|f| ≈ 10⁻⁸), undecided at the
    budget — as the high-precision engine says."""
    logcosh = product_objective(catalog_loss("logcosh"))
    run = batch_gradient_descent(logcosh, 0.1, [[0.0, 0.0], [1.3, 0.7]], max_steps=2000)
    assert run.status_names() == ["stationary", "converged"]
    assert abs(run.final[1, 0] * run.final[1, 1] - 1) < 1e-8
    tail = product_objective(parse_loss_spec("log(1+(s-1)**2)"))
    run = batch_gradient_descent(tail, 0.1, [[1e11, 1e11], [1e11, 3e11]], max_steps=500)
    high = [gradient_descent(tail, "0.1", start, max_steps=500).status.value for start in (["1e11", "1e11"], ["1e11", "3e11"])]
    assert run.status_names() == high and "converged" not in high
    # a start near (not at) the saddle leaves it and converges: the rule does not stop it early
    run = batch_gradient_descent(logcosh, 0.1, [[1e-12, 1e-12]], max_steps=5000)
    assert run.status_names() == ["converged"] and abs(run.final[0, 0] * run.final[0, 1] - 1) < 1e-8


def test_general_objective_needs_a_positive_semidefinite_hessian():
    """f = x⁴ − x² + y²: the origin is a critical point with Hessian diag(−2, 2) (a saddle); (±1/√2, 0) are minima."""
    objective = general_objective("x**4 - x**2 + y**2", ["x", "y"])
    run = batch_gradient_descent(objective, 0.1, [[0.0, 0.0], [0.3, 1.0]], max_steps=3000)
    assert run.status_names() == ["stationary", "converged"]
    assert run.final[1, 0] == pytest.approx(2**-0.5, rel=1e-8)


def test_atlas_on_a_flat_tail_is_not_converged():
    dataset = atlas(["log(1+(s-1)**2)"], 0.1, box=Box(1e11, 2e11, 1e11, 2e11), samples=50, max_steps=200)
    entry = atlas_summary(dataset)["losses"][0]
    assert entry["fractions"]["converged"] == 0.0 and entry["counts"]["undecided"] == 50  # GD is still moving (see above)


@pytest.mark.parametrize("spec", ["quadratic", "huber", "logcosh", "pseudo-huber", "gen-huber", "double-well", "logcosh0", "quartic", "huber(s-1, 0.5)", "log(1+(s-1)**2)"])
def test_fused_kernel_computes_the_compiled_gradient_and_value(spec):
    """The in-place kernel evaluates the same sympy-derived f and ∇f as the lambdified numpy backend."""
    from llgd_proof.engines.batch import fused_kernel

    objective = product_objective(parse_loss_spec(spec))
    rng = numpy.random.default_rng(7)
    points = rng.normal(scale=2.0, size=(2, 257))
    kernel = fused_kernel(objective, 257)
    kernel.bind(257)
    kernel.columns_storage[:, :257] = points
    kernel.value_and_gradient()
    expected = objective.compiled("numpy").value_and_gradient(*points)
    computed = [kernel.loss(), *kernel.gradients()]
    for mine, theirs in zip(computed, expected):
        assert numpy.allclose(mine, numpy.broadcast_to(theirs, mine.shape), rtol=1e-12, atol=1e-14)
    kernel.gradient()
    for mine, theirs in zip(kernel.gradients(), expected[1:]):
        assert numpy.allclose(mine, numpy.broadcast_to(theirs, mine.shape), rtol=1e-12, atol=1e-14)


# -- Dask: the same arrays whatever runs them -----------------------------------------------------


def _arrays(dataset) -> dict:
    return {name: dataset[name].values for name in ("status", "steps", "period", "final_x", "final_y", "eos_ratio", "max_loss_ratio", "imbalance_ratio")}


def _same(first: dict, second: dict) -> bool:
    return all(numpy.array_equal(first[name], second[name], equal_nan=True) for name in first)


def test_local_cluster_gives_the_same_arrays_as_every_local_scheduler(cluster, tmp_path):
    """Local worker processes (the default), threads, this thread and a LocalCluster: the same arrays, bit for bit."""
    local = atlas(["logcosh", "quadratic"], [0.6, 1.1], out=tmp_path / "local.zarr", workers=2, **SMALL)
    remote = atlas(["logcosh", "quadratic"], [0.6, 1.1], out=tmp_path / "remote.zarr", scheduler=cluster, **SMALL)
    assert remote.attrs["llgd"]["cache"]["computed"] == remote.attrs["llgd"]["cache"]["chunks"] == 2
    assert _same(_arrays(local), _arrays(remote))
    for name in ("threads", "sync"):
        other = atlas(["logcosh", "quadratic"], [0.6, 1.1], out=tmp_path / f"{name}.zarr", scheduler=name, workers=2, **SMALL)
        assert _same(_arrays(local), _arrays(other))
    assert _same(_arrays(local), _arrays(_as_grid(load(tmp_path / "local.zarr"), SMALL["grid"])))  # what the worker processes wrote
    starts = make_starts(Box(0.1, 3, 0.1, 3), samples=40, seed=2)
    through_cluster = run_starts("huber", 0.8, starts, max_steps=2000, scheduler=cluster)
    direct = batch_gradient_descent(product_objective(catalog_loss("huber")), 0.8, starts, max_steps=2000)
    assert numpy.array_equal(through_cluster.status.values, direct.status)
    assert numpy.array_equal(through_cluster.final_x.values, direct.final[:, 0])


def test_a_bad_scheduler_address_is_one_sentence_exit_2_and_no_store(tmp_path):
    """Malformed, or nothing listening: refused before any store is made (a Dask Client would retry, then hang the exit)."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for address, sentence in (("nonsense", "is not a Dask scheduler address"), ("tcp://256.1.1.1:x", "is not a Dask scheduler address"),
                              (f"tcp://127.0.0.1:{port}", "no Dask scheduler answers")):
        done = _cli("atlas", "--losses", "logcosh", "--h", "0.9", "--samples", "50", "--out", str(tmp_path / "a.zarr"), "--scheduler", address)
        assert done.returncode == 2 and sentence in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "a.zarr").exists()


DASK_VERBS = {  # every verb that takes --scheduler, with small arguments
    "atlas": ["atlas", "--losses", "logcosh", "--h", "0.9", "--samples", "50"],
    "sweep": ["sweep", "--loss", "logcosh", "--h-range", "0.2:1:3", "--init", "1,1"],
    "boundary": ["boundary", "eos-v1", "--loss", "logcosh", "--mu", "0.5", "--h-fraction", "0.2:0.9", "--box", "0.05:4,0.05:4", "--grid", "4"],
    "property": ["property", "convergence-v1", "--loss", "logcosh", "--examples", "5"],
}


def test_an_address_no_client_can_use_is_one_sentence_and_exit_2_for_every_verb(tmp_path):
    """``inproc://`` (no scheduler in this process) and ``ucx://`` (no UCX package): refused by the probe before a Dask
    Client is made, for every verb — one sentence, exit 2, no store — and the process exits at once (a half-built Client
    would hold the exit for 20 s, then print a traceback)."""
    script = (
        "import json, sys\nfrom llgd_proof.cli.main import main\n"
        f"verbs = {json.dumps(DASK_VERBS)}\n"
        "codes = [main([*argv, *(['--out', sys.argv[1] + '/' + name + '.zarr'] if name in ('atlas', 'sweep') else []), '--scheduler', address])\n"
        "         for address in ('inproc://x', 'ucx://127.0.0.1:1') for name, argv in verbs.items()]\n"
        "print(json.dumps(codes))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and json.loads(done.stdout) == [2] * 8, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 8 and all(line.startswith("llgd: error:") for line in lines), done.stderr
    assert sum("no Dask scheduler runs in this process" in line for line in lines) == 4 and sum("ucx://" in line for line in lines) == 4
    assert list(tmp_path.iterdir()) == []


def test_run_starts_with_one_step_per_start():
    starts = numpy.array([[1.3, 1.3]] * 3)
    h = numpy.array([0.5, 1.1, 0.5])
    result = run_starts("quadratic", h, starts, max_steps=3000)
    assert [int(code) for code in result.status.values] == [STATUS_CODES[Status.CONVERGED], STATUS_CODES[Status.PERIODIC], STATUS_CODES[Status.CONVERGED]]
    assert numpy.array_equal(result.h.values, h)


# -- the store: resume, heal, refuse ----------------------------------------------------------------

CLI_ATLAS = ["atlas", "--losses", "logcosh,quadratic", "--h", "0.5:1.2:4", "--grid", "20", "--same-sign", "--log-box", "--max-steps", "3000",
             "--workers", "1", "--chunk", "100", "--json"]  # 2 losses × 4 h × 4 blocks of 100 starts = 32 chunks


def _cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llgd_proof.cli.main", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, **kwargs)


def _written_chunks(store: Path) -> int:
    folder = store / "checksum"
    return sum(1 for path in folder.rglob("*") if path.is_file() and path.name != "zarr.json") if folder.exists() else 0


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_atlas_resumes_to_the_same_result(tmp_path, how):
    store = tmp_path / "atlas.zarr"
    process = subprocess.Popen([sys.executable, "-m", "llgd_proof.cli.main", *CLI_ATLAS, "--out", str(store)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _written_chunks(store) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(how)
    process.communicate(timeout=60)
    interrupted_at = _written_chunks(store)
    assert 2 <= interrupted_at < 32, "the run should have been stopped part-way"
    resumed = _cli(*CLI_ATLAS, "--out", str(store))
    assert resumed.returncode == 0, resumed.stderr
    cache = json.loads(resumed.stdout)["cache"]
    assert cache["chunks"] == 32 and cache["cached"] >= interrupted_at - 1  # at most the chunk in flight is redone
    fresh = atlas(["logcosh", "quadratic"], list(numpy.linspace(0.5, 1.2, 4)), chunk=100, **{**SMALL, "grid": 20})
    assert _same(_arrays(fresh), _arrays(_as_grid(load(store), 20)))  # the store the CLI resumed, read back


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A small finished store (made once per module) and its arrays."""
    store = tmp_path_factory.mktemp("template") / "atlas.zarr"
    dataset = atlas(["logcosh"], [0.5, 0.9], out=store, chunk=144, **SMALL)  # two chunks, one per h
    return store, _arrays(dataset)


@pytest.fixture()
def stored(template, tmp_path):
    """A copy of the small finished store, to damage, and its arrays."""
    import shutil

    store = tmp_path / "atlas.zarr"
    shutil.copytree(template[0], store)
    return store, template[1]


def _chunk_file(store: Path, variable: str) -> Path:
    """The file of chunk (loss 0, h block 1, sample block 0) of ``variable``, named as the store's chunk key encoding says."""
    import zarr

    return store / variable / zarr.open_array(str(store / variable), mode="r").metadata.encode_chunk_key((0, 1, 0))


def _damage_and_rerun(store: Path, capsys, workers: int | None = None) -> tuple[dict, list[str]]:
    """The rerun's dataset and its warnings (each a StoreWarning; the library itself writes nothing on stderr)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = atlas(["logcosh"], [0.5, 0.9], out=store, chunk=144, workers=workers, **SMALL)
    assert capsys.readouterr().err == ""
    store_warnings = [str(w.message) for w in caught if issubclass(w.category, StoreWarning)]
    return dataset, store_warnings


@pytest.mark.parametrize(
    "damage",
    ["truncated", "garbage", "wrong shape", "tampered", "checksum garbage"],
)
def test_a_damaged_chunk_is_recomputed_with_a_warning(stored, capsys, damage):
    store, original = stored
    if damage == "truncated":
        path = _chunk_file(store, "status")
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    elif damage == "garbage":
        _chunk_file(store, "final_x").write_bytes(os.urandom(300))
    elif damage == "wrong shape":
        import zarr

        scratch = zarr.create_array(str(store.parent / "scratch.zarr"), shape=(7,), chunks=(7,), dtype="float64")
        scratch[:] = numpy.arange(7.0)
        (_chunk_file(store, "eos_ratio")).write_bytes((store.parent / "scratch.zarr" / "c" / "0").read_bytes())
    elif damage == "tampered":
        import zarr

        group = zarr.open_group(str(store), mode="r+")
        values = group["eos_ratio"][0, 1, :]
        group["eos_ratio"][0, 1, :] = numpy.where(numpy.isnan(values), values, values * 1.01)  # well-formed, wrong
    else:
        _chunk_file(store, "checksum").write_bytes(b"\x00garbage")
    dataset, err = _damage_and_rerun(store, capsys)
    assert len([message for message in err if "recomputed" in message]) == 1
    assert dataset.attrs["llgd"]["cache"] == {"chunks": 2, "cached": 1, "computed": 1, "healed": 1}
    assert _same(_arrays(dataset), original)
    again, err = _damage_and_rerun(store, capsys)  # healed for good
    assert again.attrs["llgd"]["cache"]["cached"] == 2 and not any("recomputed" in message for message in err)


def test_a_store_whose_creation_was_interrupted_is_created_again(stored):
    """A store with our parameters but arrays missing (their metadata and chunks): the metadata is written again and
    every chunk whose checksum is gone is computed again."""
    import shutil

    store, original = stored
    for name in ("checksum", "eos_ratio"):
        shutil.rmtree(store / name)
    dataset = atlas(["logcosh"], [0.5, 0.9], out=store, chunk=144, **SMALL)
    assert dataset.attrs["llgd"]["cache"] == {"chunks": 2, "cached": 0, "computed": 2, "healed": 0}
    assert _same(_arrays(dataset), original)
    assert _same(_arrays(_as_grid(load(store), SMALL["grid"])), original)


def _coordinates(store: Path) -> dict:
    dataset = load(store)
    return {name: dataset[name].values for name in ("loss", "h", "x0", "y0")}


@pytest.mark.parametrize("damage", ["x0 deleted", "h tampered", "loss garbage", "status metadata garbage", "eos_ratio metadata altered", "block sizes altered"])
def test_damaged_metadata_or_coordinates_are_rewritten_before_a_chunk_is_trusted(stored, capsys, damage):
    """Everything a rerun reuses is checked, not only the chunks: a coordinate deleted, or replaced by other well-formed
    values, a metadata file that is garbage or says something else — each is rewritten from the parameters (one warning),
    and the store then reads back exactly as a fresh one, coordinates included."""
    import zarr

    store, original = stored
    expected = _coordinates(store)
    if damage == "x0 deleted":
        import shutil

        shutil.rmtree(store / "x0")
    elif damage == "h tampered":
        array = zarr.open_array(str(store / "h"), mode="r+")
        array[:] = array[:] * 2 + 1
    elif damage == "loss garbage":
        (store / "loss" / "c.0").write_bytes(b"\x00" * 5)
    elif damage.endswith("metadata garbage"):
        (store / damage.split()[0] / "zarr.json").write_text("{garbage")
    elif damage == "eos_ratio metadata altered":
        path = store / "eos_ratio" / "zarr.json"
        metadata = json.loads(path.read_text())
        metadata["dimension_names"] = ["loss", "sample", "h"]
        path.write_text(json.dumps(metadata))
    else:
        path = store / "zarr.json"
        metadata = json.loads(path.read_text())
        metadata["attributes"]["llgd_block_sizes"] = "[2, 72]"
        path.write_text(json.dumps(metadata))
    dataset, err = _damage_and_rerun(store, capsys, workers=1)
    assert [message for message in err if "rewritten" in message] != []
    assert _same(_arrays(dataset), original)
    assert all(numpy.array_equal(values, expected[name]) for name, values in _coordinates(store).items())
    assert _same(_arrays(_as_grid(load(store), SMALL["grid"])), original)
    again, err = _damage_and_rerun(store, capsys, workers=1)  # repaired for good
    assert again.attrs["llgd"]["cache"]["cached"] == 2 and err == []


def test_an_unreadable_store_is_one_sentence_in_python_and_on_the_cli(stored, capsys):
    """A group metadata file that is not JSON: StoreError (an LlgdInputError) in Python, one sentence and exit 2 on the CLI."""
    store, _ = stored
    (store / "zarr.json").write_text("{garbage")
    with pytest.raises(api.LlgdInputError, match="not a readable llgd result store"):
        atlas(["logcosh"], [0.5, 0.9], out=store, chunk=144, **SMALL)
    from llgd_proof.cli.main import main

    capsys.readouterr()
    assert main(["atlas", "--losses", "logcosh", "--h", "0.5:0.9:2", "--grid", "12", "--same-sign", "--log-box", "--max-steps", "3000",
                 "--chunk", "144", "--workers", "1", "--out", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("llgd: error:") and "not a readable llgd result store" in err and err.count("\n") == 1


@pytest.mark.parametrize("where", ["notes.txt", "status/notes.txt"])
@pytest.mark.parametrize("damage", ["array deleted", "group metadata deleted"])
def test_a_rebuild_never_deletes_a_file_it_did_not_write(stored, where, damage):
    """A user's file inside a store survives whatever the store needs: rewritten metadata leaves it alone; a store that
    must be made again from nothing (its group metadata gone) is refused with a sentence naming the file, and nothing
    in the folder is removed."""
    import shutil

    store, original = stored
    (store / where).parent.mkdir(exist_ok=True)
    (store / where).write_text("mine")
    if damage == "array deleted":
        shutil.rmtree(store / "eos_ratio")
        dataset = atlas(["logcosh"], [0.5, 0.9], out=store, chunk=144, **SMALL)
        assert _same(_arrays(dataset), original)
    else:
        (store / "zarr.json").unlink()
        before = sorted(path.relative_to(store) for path in store.rglob("*"))
        with pytest.raises(StoreError, match="not part of an llgd result store") as refused:
            atlas(["logcosh"], [0.5, 0.9], out=store, chunk=144, **SMALL)
        assert "\n" not in str(refused.value)
        assert sorted(path.relative_to(store) for path in store.rglob("*")) == before
    assert (store / where).read_text() == "mine"


def test_a_store_cut_short_before_its_group_metadata_is_made_again(stored):
    """Group metadata is written last: without it (and nothing foreign in the folder) no chunk was trusted yet, so the
    store is made again from nothing, removing only its own files."""
    store, original = stored
    (store / "zarr.json").unlink()
    dataset = atlas(["logcosh"], [0.5, 0.9], out=store, chunk=144, **SMALL)
    assert dataset.attrs["llgd"]["cache"] == {"chunks": 2, "cached": 0, "computed": 2, "healed": 0}
    assert _same(_arrays(dataset), original)


def test_a_cached_store_is_rebuilt_only_when_it_holds_nothing_foreign(tmp_path, capsys):
    """An unreadable store in the cache directory is made again (a warning) — unless the folder holds a file a store
    never writes: then it is refused and the file kept."""
    first = atlas(["logcosh"], 0.5, samples=40, max_steps=500, cache_dir=tmp_path)
    (store,) = tmp_path.glob("atlas-*.zarr")
    (store / "zarr.json").write_text("{garbage")
    with pytest.warns(StoreWarning, match="rebuilding it"):
        again = atlas(["logcosh"], 0.5, samples=40, max_steps=500, cache_dir=tmp_path)
    assert _same(_arrays(first), _arrays(again))
    (store / "zarr.json").write_text("{garbage")
    (store / "keep.me").write_text("mine")
    with pytest.raises(StoreError, match="keep.me"):
        atlas(["logcosh"], 0.5, samples=40, max_steps=500, cache_dir=tmp_path)
    assert (store / "keep.me").read_text() == "mine"


def test_a_store_made_with_other_parameters_is_refused(stored):
    store, _ = stored
    with pytest.raises(StoreError, match="other parameters"):
        atlas(["logcosh"], [0.5, 0.9], out=store, chunk=144, **{**SMALL, "max_steps": 2000})
    with pytest.raises(StoreError, match="other parameters"):
        atlas(["huber"], [0.5, 0.9], out=store, chunk=144, **SMALL)
    file = store.parent / "plain.txt"
    file.write_text("not a store")
    with pytest.raises(StoreError):
        atlas(["logcosh"], 0.5, out=file, **SMALL)


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--samples", "1000000000"], "memory"),
        (["--samples", "10", "--max-steps", "-1"], "--max-steps"),
        (["--samples", "10", "--max-steps", "0"], "--max-steps"),
        (["--samples", "10", "--seed", "-1"], "--seed"),
        (["--samples", "10", "--confirm", "-1"], "--confirm"),
        (["--samples", "10", "--cache-dir", "/dev/null"], "must be a folder"),
        (["--samples", "10", "--plot", "out.txt"], "--plot"),
        (["--samples", "10", "--h", "0.5:0.1:3"], "--h"),
    ],
)
def test_atlas_bad_input_is_one_sentence(capsys, extra, words):
    from llgd_proof.cli.main import main

    argv = ["atlas", "--losses", "logcosh", "--h", "0.5", *extra]
    started = time.monotonic()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("llgd: error:") and words in err and err.count("\n") == 1
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("extra", [["--max-steps", "-1"], ["--seed", "-1"], ["--confirm", "-1"], ["--plot", "out.txt"]])
def test_sweep_bad_input_is_one_sentence(capsys, extra):
    from llgd_proof.cli.main import main

    assert main(["sweep", "--loss", "logcosh", "--h-range", "0.2:1:3", "--init", "1,1", *extra]) == 2
    assert capsys.readouterr().err.startswith("llgd: error:")


# -- sweep and figures ---------------------------------------------------------------------------


def test_sweep_finds_macdonald_bifurcation(tmp_path):
    """Anchor A5 in the sweep: on the diagonal, ½(xy − 1)² converges below h = 1 and is 2-periodic on x = y above."""
    data = api.sweep("quadratic", numpy.linspace(0.5, 1.2, 15), [1.3, 1.3], out=tmp_path / "sweep.zarr")
    for row in data["rows"]:
        if row["h"] < 0.99:
            assert row["status"] == "converged"
        elif row["h"] > 1.01:
            assert row["status"] == "periodic" and row["period"] == 2
            assert all(abs(p[0] - p[1]) < 1e-9 for p in row["limit"])
    again = api.sweep("quadratic", numpy.linspace(0.5, 1.2, 15), [1.3, 1.3], out=tmp_path / "sweep.zarr")
    assert again["rows"] == data["rows"]


def test_figures_are_images(tmp_path):
    from llgd_proof.report.plots import atlas_figure, sweep_figure

    grid = atlas(["logcosh", "quadratic"], 0.9, **SMALL)
    phase = atlas(["logcosh"], [0.5, 0.9, 1.2], **SMALL)
    samples = atlas(["logcosh"], 0.9, samples=200, max_steps=3000)
    assert grid.eos_ratio.sel(loss="logcosh").dims == ("y0", "x0")  # ds.eos_ratio.sel(loss=…).plot() is a basin map
    sweep = api.sweep("logcosh", numpy.linspace(0.2, 1.5, 12), [3.0, 0.5], max_steps=3000)
    paths = [atlas_figure(grid, str(tmp_path / "grid.png")), atlas_figure(phase, str(tmp_path / "phase.png")),
             atlas_figure(samples, str(tmp_path / "bars.png")), sweep_figure(sweep, str(tmp_path / "sweep.png"))]
    for path in paths:
        with open(path, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
