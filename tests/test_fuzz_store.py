"""Permanent fuzz suite for the atlas's store and Dask plumbing (issue 21, round 2 of hardening).

Three classes of bad outcome found by a hostile sweep, each probed here with the CLI's contract (exit code 0 or 2, on
exit 2 exactly one stderr line ``llgd: error: …``, never a traceback) and with what the class promises:

* **worker processes die with their parent** — ``kill -9`` of ``llgd atlas --out STORE`` leaves no worker running and no
  chunk written after it;
* **a store verifies everything it reuses** — seeded hypothesis damage (deleted, truncated, garbage or flipped files,
  files turned into folders, whole arrays gone, foreign files added) to any file of a finished store, coordinates and
  metadata included: the rerun either gives the fresh store's arrays and coordinates bit for bit (and a third run reuses
  every chunk silently) or is refused with one sentence; a foreign file is never removed, and a refusal removes nothing;
* **an unusable ``--scheduler`` is one sentence at once** — hypothesis-drawn addresses (unknown or unavailable protocols,
  ``inproc://`` with no scheduler here, ports where nothing or something other than Dask listens, garbage), by flag or
  by ``DASK_SCHEDULER_ADDRESS``, for every verb that takes one: exit 2, refused before a Dask ``Client`` is made (a
  half-built one holds the interpreter's exit for 20 s), inside a guard.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy
import pytest
from guards import guard as hang_guard
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

from llgd_proof.cli.main import main
from llgd_proof.scale.store import load

ROOT = Path(__file__).resolve().parents[1]
GUARD_SECONDS = 30
SCALE = int(os.environ.get("LLGD_FUZZ_SCALE", "1"))  # e.g. LLGD_FUZZ_SCALE=10 for a long exploratory session
SETTINGS = settings(max_examples=12 * SCALE, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                    derandomize=not os.environ.get("LLGD_FUZZ_RANDOM"))


def guard(seconds: float = GUARD_SECONDS):
    """The shared hang guard (tests/guards.py) with this file's limit."""
    return hang_guard(seconds)


def probe(capsys, argv: list[str]) -> tuple[int, str]:
    """Run one command in-process and check the contract; returns (code, stderr)."""
    capsys.readouterr()
    with guard():
        code = main(argv)
    _, err = capsys.readouterr()
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    lines = err.strip().splitlines()
    if code == 2:
        assert len(lines) == 1 and lines[0].startswith("llgd: error:"), (argv, err)
    else:
        assert all(line.startswith("llgd: warning:") for line in lines), (argv, err)
    return code, err


# -- a store verifies everything it reuses ------------------------------------------------------------

ATLAS = ["atlas", "--losses", "logcosh", "--h", "0.5:0.9:2", "--grid", "12", "--same-sign", "--log-box", "--max-steps", "3000",
         "--chunk", "144", "--workers", "1", "--json"]  # two chunks, one per h


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A finished store made by the CLI, its file listing and its dataset as read back."""
    store = tmp_path_factory.mktemp("template") / "atlas.zarr"
    assert main([*ATLAS, "--out", str(store)]) == 0
    files = sorted(str(path.relative_to(store)) for path in store.rglob("*") if path.is_file())
    return store, files, load(store)


def _files(store: Path) -> set[str]:
    return {str(path.relative_to(store)) for path in store.rglob("*") if path.is_file()}


DAMAGES = ["delete", "truncate", "garbage", "flip", "folder", "delete array", "foreign"]


@st.composite
def damages(draw, files: list[str]) -> list[tuple]:
    """One to three damages, each to a file of the store drawn by index (its metadata, coordinates and chunks alike)."""
    chosen = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(DAMAGES))
        target = files[draw(st.integers(0, len(files) - 1))]
        chosen.append((kind, target, draw(st.integers(0, 2**16)), draw(st.binary(max_size=64))))
    return chosen


def _damage(store: Path, kind: str, target: str, number: int, junk: bytes) -> str | None:
    """Apply one damage; returns the relative path of a foreign file it added, if any."""
    path = store / target
    if kind == "foreign":
        parent = path.parent if number % 2 else store
        foreign = parent / f"user-notes-{number}.txt"
        if parent.is_dir():
            foreign.write_bytes(junk)
            return str(foreign.relative_to(store))
        return None
    if kind == "delete array" and "/" in target:
        shutil.rmtree(store / target.split("/")[0], ignore_errors=True)
        return None
    if not path.is_file():
        return None
    data = path.read_bytes()
    if kind in ("delete", "delete array"):
        path.unlink()
    elif kind == "truncate":
        path.write_bytes(data[: number % max(len(data), 1)])
    elif kind == "garbage":
        path.write_bytes(junk)
    elif kind == "flip" and data:
        position = number % len(data)
        path.write_bytes(data[:position] + bytes([data[position] ^ (1 + number % 255)]) + data[position + 1 :])
    elif kind == "folder":
        path.unlink()
        path.mkdir()
    return None


def _same_dataset(first, second) -> bool:
    """The same variables and coordinates, bit for bit (NaN where NaN)."""
    names = [*first.data_vars, *first.coords]
    return all(numpy.array_equal(first[name].values, second[name].values, equal_nan=first[name].dtype.kind == "f") for name in names)


def test_store_damage_fuzz(template, tmp_path_factory, capsys):
    """Whatever is damaged, the rerun restores exactly the fresh store or refuses with one sentence; foreign files stay,
    and a refusal removes nothing."""
    store_template, files, fresh = template
    outcomes = {0: 0, 2: 0}

    @seed(21)
    @SETTINGS
    @given(damages(files))
    def run(chosen):
        store = tmp_path_factory.mktemp("damaged") / "atlas.zarr"
        shutil.copytree(store_template, store)
        foreign = {}
        for damage in chosen:
            added = _damage(store, *damage)
            if added is not None:
                foreign[added] = (store / added).read_bytes()
        before = _files(store)
        code, _ = probe(capsys, [*ATLAS, "--out", str(store)])
        outcomes[code] += 1
        for name, content in foreign.items():
            assert (store / name).read_bytes() == content, (chosen, name)
        if code == 2:
            assert before <= _files(store), chosen  # a refusal deletes nothing
            return
        assert _same_dataset(fresh, load(store)), chosen
        code, err = probe(capsys, [*ATLAS, "--out", str(store)])
        assert code == 0 and err == "", (chosen, err)  # repaired for good: every chunk reused, nothing to say

    run()
    assert outcomes[0] > 0  # not vacuous: damage was repaired, not only refused


# -- an unusable --scheduler is one sentence at once ---------------------------------------------------

VERBS = {  # every verb that takes --scheduler, with small arguments
    "atlas": ["atlas", "--losses", "logcosh", "--h", "0.9", "--samples", "50", "--max-steps", "500"],
    "sweep": ["sweep", "--loss", "logcosh", "--h-range", "0.2:1:3", "--init", "1,1", "--max-steps", "500"],
    "boundary": ["boundary", "eos-v1", "--loss", "logcosh", "--mu", "0.5", "--h-fraction", "0.2:0.9", "--box", "0.05:4,0.05:4", "--grid", "4",
                 "--max-steps", "500"],
    "property": ["property", "convergence-v1", "--loss", "logcosh", "--examples", "5", "--max-steps", "500"],
}


@pytest.fixture(scope="module")
def listeners():
    """Ports on the loopback: one where nothing listens, one that accepts and hangs up, one that answers as a web server."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
    servers, stop = [], threading.Event()

    def serve(server: socket.socket, reply: bytes) -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(reply)

    ports = {"closed": closed}
    for name, reply in (("hangs up", b""), ("web server", b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")):
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()
        servers.append(server)
        threading.Thread(target=serve, args=(server, reply), daemon=True).start()
        ports[name] = server.getsockname()[1]
    yield ports
    stop.set()
    for server in servers:
        server.close()


@st.composite
def addresses(draw, ports: dict) -> str:
    port = str(ports[draw(st.sampled_from(sorted(ports)))])
    scheme = draw(st.sampled_from(["inproc", "ucx", "tcp", "tls", "ws", "wss", "foo", "TCP", "tcp+x", ""]))
    location = draw(st.sampled_from([f"127.0.0.1:{port}", f"localhost:{port}", "x", "127.0.0.1/1/1", "256.1.1.1:x", ":::", "", "127.0.0.1:99999",
                                     "[::1]:" + port]))
    return f"{scheme}://{location}" if scheme or draw(st.booleans()) else location or draw(st.text(max_size=8))


@seed(21)
@settings(SETTINGS, max_examples=16 * SCALE)
@given(data=st.data())
def test_scheduler_address_fuzz(capsys, monkeypatch, listeners, data):
    """An address no Dask client can use: exit 2 and one sentence, by flag or environment, for every verb, refused before
    a ``Client`` exists."""
    import distributed

    verb = data.draw(st.sampled_from(sorted(VERBS)))
    address = data.draw(addresses(listeners))
    assume(address.strip() not in ("", "processes", "threads", "sync"))  # no address: the local scheduler, by design
    by_environment = data.draw(st.booleans())

    def no_client(*args, **kwargs):
        raise AssertionError(f"a dask.distributed Client was made for {address!r}")

    with monkeypatch.context() as patch:
        patch.setattr(distributed.Client, "__init__", no_client)
        if by_environment:
            patch.setenv("DASK_SCHEDULER_ADDRESS", address)
            argv = VERBS[verb]
        else:
            argv = [*VERBS[verb], "--scheduler", address]
        code, err = probe(capsys, argv)
    assert code == 2, (argv, address, err)


# -- worker processes die with their parent ---------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                state, parent = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[:2]
                if int(parent) == pid and state != "Z":
                    found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _chunk_files(store: Path) -> int:
    return sum(1 for path in store.rglob("c.*") if path.is_file() and not path.name.endswith(".partial")) if store.exists() else 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_an_atlas_leaves_no_worker_and_no_chunk_after_it(tmp_path):
    """SIGKILL of ``llgd atlas --out STORE`` while its two workers have chunks queued: within a few seconds no worker
    is left (they would finish the queued chunks, writing them, then wait forever with parent 1), and no chunk file
    appears afterwards."""
    store = tmp_path / "atlas.zarr"
    argv = ["atlas", "--losses", "logcosh", "--h", "0.5:1.2:16", "--grid", "40", "--max-steps", "20000", "--workers", "2", "--chunk", "100",
            "--out", str(store), "--json"]  # 16 h × 16 blocks = 256 chunks: far more than run before the kill
    process = subprocess.Popen([sys.executable, "-m", "llgd_proof.cli.main", *argv], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            workers = _children(process.pid)
            if len(workers) >= 2 and (store / "checksum").exists() and any((store / "checksum").glob("c.*")):
                break
            time.sleep(0.02)
        assert len(workers) >= 2 and process.poll() is None, "the atlas should be running on two workers"
        process.kill()
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.02)
        left = [pid for pid in workers if _alive(pid)]
        assert left == [], f"workers {left} outlived their parent"
        written = _chunk_files(store)
        time.sleep(1)
        assert _chunk_files(store) == written
    finally:
        for pid in workers:  # only the processes this test started
            with contextlib.suppress(ProcessLookupError):
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.stderr.close()
