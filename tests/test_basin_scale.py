"""Certified basins as a Dask graph of sub-boxes (issue 20): the certificate is the same, byte for byte, whatever runs
the tiles and whether the run was resumed; kept tiles that are damaged are recomputed, forged ones are refused by the
checker's recheck; a bad scheduler is one sentence, exit 2, before anything is written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llgd_proof import api
from llgd_proof.errors import LlgdInputError, StoreWarning
from llgd_proof.proofs import basin as basin_module
from llgd_proof.scale import tasks
from llgd_proof.scale.store import StoreError

ROOT = Path(__file__).resolve().parents[1]
CONVERGES = {"loss": "quadratic", "mu": "1", "h": "0.3", "box": ["0.7", "1.5", "0.7", "1.5"], "depth": 3}  # leaves above the tiles too
DIVERGES = {"loss": "quadratic", "mu": "1", "h": "0.9", "box": ["2", "4", "2", "4"], "depth": 3}
LOGCOSH = {"loss": "logcosh", "mu": "1", "h": "0.5", "box": ["0.5", "1.5", "0.5", "1.5"], "depth": 3}


def _bytes(result) -> str:
    return json.dumps(result.certificate)


@pytest.fixture(scope="module")
def reference():
    """Each case computed in this thread alone: the certificate every other way of running it must reproduce."""
    return {name: api.basin(**case, scheduler="sync") for name, case in (("converges", CONVERGES), ("diverges", DIVERGES), ("logcosh", LOGCOSH))}


def _tile_files(result) -> list[Path]:
    return sorted(Path(result.tiles["folder"]).glob("*.json"))


# -- the same certificate whatever runs it -----------------------------------------------------------------------


def test_the_tiles_put_together_make_the_one_recursions_tree(reference, monkeypatch):
    """With the tile level at 0 the whole search is one task: today's recursion. Tiles at levels 1, 2 and 3 (the
    default) give that very certificate — the same leaves, in the same order, with the same choices and ball steps."""
    for name, case in (("converges", CONVERGES), ("diverges", DIVERGES)):
        monkeypatch.setattr(basin_module, "TILE_LEVEL", 0)
        whole = api.basin(**case, scheduler="sync")
        assert whole.tiles["tiles"] == 1
        for level in (1, 2):
            monkeypatch.setattr(basin_module, "TILE_LEVEL", level)
            tiled = api.basin(**case, scheduler="sync")
            assert tiled.tiles["tiles"] <= 4**level and _bytes(tiled) == _bytes(whole) and tiled.work == whole.work
        assert _bytes(reference[name]) == _bytes(whole) and reference[name].work == whole.work
    assert 16 < reference["diverges"].tiles["tiles"] <= 64  # the default tiles are at level 3 (less where a coarser node is proved)
    assert 0 < reference["converges"].tiles["tiles"] < 64  # some leaves are proved above the tiles, at level 2


def test_every_scheduler_gives_the_same_certificate(reference):
    """Worker processes (the default), Dask's threads and this thread: byte-for-byte the same certificate, and valid."""
    for name, case in (("converges", CONVERGES), ("diverges", DIVERGES)):
        processes = api.basin(**case, workers=2)
        threads = api.basin(**case, scheduler="threads", workers=2)
        assert processes.tiles["scheduler"] == "processes" and threads.tiles["scheduler"] == "threads"
        assert _bytes(processes) == _bytes(threads) == _bytes(reference[name])
        assert processes.valid and processes.leaves == reference[name].leaves and processes.work == reference[name].work
    assert reference["converges"].leaves["converges"] > 0 and reference["diverges"].leaves["diverges"] > 0  # not vacuous


def test_a_cluster_gives_the_same_certificate(cluster, reference, tmp_path):
    """A dask.distributed LocalCluster runs the tiles (its workers write the kept ones): the same certificate."""
    remote = api.basin(**CONVERGES, scheduler=cluster, cache_dir=tmp_path)
    assert remote.tiles["scheduler"] == "distributed" and remote.tiles["computed"] == remote.tiles["tiles"]
    assert _bytes(remote) == _bytes(reference["converges"])
    assert len(_tile_files(remote)) == remote.tiles["tiles"]


# -- resuming ----------------------------------------------------------------------------------------------------


def test_a_resumed_run_skips_the_kept_tiles_and_gives_the_same_certificate(reference, tmp_path):
    """Half the kept tiles deleted: the rerun reads the other half back, computes the rest, and the certificate is the
    same; a run with every tile kept computes none."""
    first = api.basin(**CONVERGES, cache_dir=tmp_path, workers=2)
    files = _tile_files(first)
    assert len(files) == first.tiles["tiles"] == first.tiles["computed"] and first.tiles["cached"] == 0
    for file in files[::2]:
        file.unlink()
    resumed = api.basin(**CONVERGES, cache_dir=tmp_path, scheduler="sync")
    assert resumed.tiles["cached"] == len(files) - len(files[::2]) and resumed.tiles["computed"] == len(files[::2])
    assert _bytes(resumed) == _bytes(first) == _bytes(reference["converges"]) and resumed.work == first.work
    again = api.basin(**CONVERGES, cache_dir=tmp_path)
    assert again.tiles["cached"] == again.tiles["tiles"] and again.tiles["computed"] == 0 and again.tiles["scheduler"] is None
    assert _bytes(again) == _bytes(first)


def test_other_inputs_never_reuse_kept_tiles(tmp_path):
    """Another h, depth or precision is another job: its own folder, nothing read back."""
    first = api.basin(**DIVERGES, cache_dir=tmp_path, scheduler="sync")
    for change in ({"h": "0.95"}, {"depth": 2}, {"bits": 256}, {"max_steps": 1000}):
        other = api.basin(**{**DIVERGES, **change}, cache_dir=tmp_path, scheduler="sync")
        assert other.tiles["cached"] == 0 and other.tiles["folder"] != first.tiles["folder"], change


def test_damaged_tiles_are_recomputed_with_a_warning(reference, tmp_path):
    """Not JSON, a changed subtree under the old checksum, another job's file, not a tile: each recomputed (one
    StoreWarning each), and the certificate is the same as before."""
    first = api.basin(**CONVERGES, cache_dir=tmp_path, scheduler="sync")
    files = _tile_files(first)
    files[0].write_text("{not json")
    changed = json.loads(files[1].read_text())
    changed["value"]["tree"] = {"outcome": "undecided"} if changed["value"]["tree"] != {"outcome": "undecided"} else {"split": []}
    files[1].write_text(json.dumps(changed))
    foreign = json.loads(files[2].read_text())
    foreign["key"] = "0" * 64
    foreign["sha256"] = tasks._checksum(foreign["key"], foreign["name"], foreign["value"])
    files[2].write_text(json.dumps(foreign))
    not_a_tile = json.loads(files[3].read_text())
    not_a_tile["value"] = {"tree": not_a_tile["value"]["tree"], "work": -1}
    not_a_tile["sha256"] = tasks._checksum(not_a_tile["key"], not_a_tile["name"], not_a_tile["value"])
    files[3].write_text(json.dumps(not_a_tile))
    with pytest.warns(StoreWarning) as caught:
        healed = api.basin(**CONVERGES, cache_dir=tmp_path, scheduler="sync")
    reasons = " | ".join(str(warning.message) for warning in caught)
    assert len(caught) == 4 and healed.tiles["healed"] == 4 and healed.tiles["computed"] == 4, reasons
    for reason in ("failed to load", "do not match their checksum", "belongs to another job", "not a tile"):
        assert reason in reasons
    assert _bytes(healed) == _bytes(reference["converges"])


def test_a_forged_tile_is_refused_by_the_recheck(tmp_path):
    """A kept tile of the diverging box rewritten to claim "converges" under a valid checksum: the checker's recheck of
    the whole certificate refuses it (a StoreError naming the folder), so no false leaf is ever returned."""
    first = api.basin(**DIVERGES, cache_dir=tmp_path, scheduler="sync")
    forged = None
    for file in _tile_files(first):
        data = json.loads(file.read_text())
        if data["value"]["tree"].get("outcome") == "diverges":
            data["value"]["tree"] = {"outcome": "converges", "steps": 0, "region": {"r_bar": "0.5", "q_window": ["1", "100"]}}
            data["sha256"] = tasks._checksum(data["key"], data["name"], data["value"])
            file.write_text(json.dumps(data))
            forged = file
            break
    assert forged is not None  # not vacuous: the box has a diverging tile to forge
    with pytest.raises(StoreError, match=f"tiles kept in {first.tiles['folder']} do not make a certificate the checker accepts"):
        api.basin(**DIVERGES, cache_dir=tmp_path, scheduler="sync")
    forged.write_text(json.dumps({**data, "value": {"tree": {"outcome": "converges"}, "work": 0},
                                  "sha256": tasks._checksum(data["key"], data["name"], {"tree": {"outcome": "converges"}, "work": 0})}))
    with pytest.raises(StoreError, match="do not make a certificate the checker accepts"):  # malformed for the checker: refused too
        api.basin(**DIVERGES, cache_dir=tmp_path, scheduler="sync")


def test_a_run_killed_half_way_resumes(reference, tmp_path):
    """``llgd basin --cache-dir`` killed (SIGKILL) once some tiles are written: the same command again reads them back,
    computes the others, and prints the certificate of an uninterrupted run."""
    certificate = tmp_path / "basin.json"
    argv = [sys.executable, "-m", "llgd_proof.cli.main", "basin", "--loss", LOGCOSH["loss"], "--mu", LOGCOSH["mu"], "--h", LOGCOSH["h"],
            "--box", *LOGCOSH["box"], "--depth", str(LOGCOSH["depth"]), "--scheduler", "sync", "--cache-dir", str(tmp_path / "cache"),
            "--certificate", str(certificate), "--json"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.Popen(argv, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "cache").glob("*/*.json")) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    run.send_signal(signal.SIGKILL)
    run.communicate()
    files = list((tmp_path / "cache").glob("*/*.json"))
    kept = len(files)
    assert kept >= 1 and all(json.loads(file.read_text())["value"]["tree"] for file in files)  # finished tiles, none half-written
    done = subprocess.run(argv, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    tiles = json.loads(done.stdout)["tiles"]
    assert tiles["cached"] == kept and tiles["computed"] == tiles["tiles"] - kept
    uninterrupted = api.save_basin_certificate(reference["logcosh"], tmp_path / "uninterrupted.json")
    assert certificate.read_bytes() == Path(uninterrupted).read_bytes()


# -- the interface: bad schedulers and arguments, the progress bar ----------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_bad_scheduler_is_one_sentence_exit_2_and_nothing_written(capsys, tmp_path):
    """The sentences of ``llgd atlas``: refused by the probe before the cache folder is made."""
    from llgd_proof.cli.main import main

    base = ["basin", "--loss", "quadratic", "--h", "0.5", "--box", "0.5", "1.5", "0.5", "1.5", "--depth", "1", "--cache-dir", str(tmp_path / "cache")]
    for address, sentence in (("nonsense", "is not a Dask scheduler address"), (f"tcp://127.0.0.1:{_free_port()}", "no Dask scheduler answers"),
                              ("inproc://x", "no Dask scheduler runs in this process"), ("synchronous", "is not a Dask scheduler address")):
        assert main([*base, "--scheduler", address]) == 2
        error = capsys.readouterr().err.strip()
        assert error.startswith("llgd: error:") and sentence in error and "\n" not in error, error
        assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("arguments", [{"scheduler": 5}, {"scheduler": " "}, {"workers": 0}, {"workers": True}, {"workers": 2.5},
                                       {"cache_dir": ""}, {"cache_dir": 3}, {"progress": "yes"}])
def test_bad_dask_arguments_are_one_typed_error(arguments):
    with pytest.raises(LlgdInputError):
        api.basin(**CONVERGES, **arguments)


def test_the_cli_refuses_bad_workers_and_dask_options_with_recheck(capsys, tmp_path):
    from llgd_proof.cli.main import main

    assert main(["basin", "--loss", "quadratic", "--h", "0.5", "--box", "0.5", "1.5", "0.5", "1.5", "--workers", "0"]) == 2
    assert "--workers must be an integer ≥ 1" in capsys.readouterr().err
    assert main(["basin", "--recheck", str(tmp_path / "b.json"), "--scheduler", "sync"]) == 2
    assert "takes no" in capsys.readouterr().err


def test_the_progress_bar_shows_on_a_terminal_and_never_with_json(tmp_path):
    """stderr a terminal (a pseudo-terminal here): Dask's bar without --json; with --json, nothing on stderr and one
    JSON object on stdout."""
    import pty

    argv = [sys.executable, "-m", "llgd_proof.cli.main", "basin", "--loss", "quadratic", "--h", "0.9", "--box", "2", "4", "2", "4",
            "--depth", "3", "--workers", "2"]
    shown = {}
    for extra in ([], ["--json"]):
        primary, secondary = pty.openpty()
        try:
            done = subprocess.run([*argv, *extra], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                                  stderr=secondary, timeout=120, check=False)
            os.set_blocking(primary, False)
            try:
                shown[bool(extra)] = os.read(primary, 1 << 20).decode(errors="replace")
            except BlockingIOError:
                shown[bool(extra)] = ""
        finally:
            os.close(primary)
            os.close(secondary)
        assert done.returncode == 0
        if extra:
            assert json.loads(done.stdout)["valid"]
    assert "% Completed" in shown[False] and shown[True] == ""
