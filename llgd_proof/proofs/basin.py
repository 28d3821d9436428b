"""Certified basins of attraction for f = ℓ(xy): subdivide a box of starts until each leaf is proved.

The prover only *proposes* (the quadtree, each leaf's K and region, the escape region); every outcome is
decided by :mod:`llgd_proof.checker.basins` — its enclosure in (s, d) coordinates, the T6 region inequalities
and the escape lemma — and the finished certificate is rechecked by :func:`~llgd_proof.checker.basins.recheck_basin`
before it is returned, so a bug here can cost a leaf but never certify one.

Search, per node (a box of starts): a float64 pre-pass runs GD from the box's centre and corners (evidence
only: it picks the K at which to start testing, and splits at once a box whose points visibly disagree); then
the checker's enclosure of the whole box is advanced step by step and tested against a T6 region fitted around
it (converges), the escape region (diverges) and the orbit boxes (periodic). A box that is none of them is split
into four, down to ``depth``; at ``depth`` it stays ``undecided``.

Orbit boxes (:func:`orbit_choice`, once per box of starts, before the search): float64 GD from a grid of starts
finds the cycles the starts settle on (period ≤ :data:`~llgd_proof.checker.basins.MAX_PERIOD` in (s, d), not at a
minimiser); around each point of each cycle the largest box of a few shapes and periods (multiples of the cycle's)
that the checker's attracting-box lemma accepts (:func:`~llgd_proof.checker.basins.orbit_failures`) becomes an orbit
of the certificate.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy
import sympy
from flint import arb

from llgd_proof.analysis.contraction import window_search
from llgd_proof.checker import basins as basin_checker
from llgd_proof.checker.basins import converges_failures, escape_constants, escaped, inside, orbit_bounds, orbit_failures
from llgd_proof.checker.converges import region_bounds_at
from llgd_proof.checker.enclosure import Enclosure, leaf_box, norm_squared, start_enclosure, uv_flight
from llgd_proof.checker.problem import CertificateError, Problem
from llgd_proof.proofs.prover import build_objective, locate_minimiser
from llgd_proof.scale.store import StoreError
from llgd_proof.scale.tasks import run_tasks
from llgd_proof.symbolic.arb import _decimal, exact_fraction, from_decimal, working_bits
from llgd_proof.symbolic.expressions import almost_everywhere
from llgd_proof.symbolic.losses import S

DEFAULT_BITS = 128
DEFAULT_DEPTH = 8
DEFAULT_MAX_STEPS = 2000
SLOPE_FACTORS = ("0.5", "0.25", "0.1", "0.01")
THRESHOLDS = ("0.5", "1", "2", "3", "5", "10", "20", "50", "100", "1000", "10000")
BALANCE = "0.25"
PIECES = 4
MAX_SEGMENTS = 64
MAX_LEVEL = 12
SPLIT_RADIUS = 0.001
GROWTH = 1.5
"""A segment's S is cut in :data:`PIECES` when its radius exceeds SPLIT_RADIUS and GROWTH times its least radius so far."""
UV_PREFIXES = (1, 2, 3, 4)
"""The (u, v) prefixes a leaf tries after the plain (s, d) flight (checker module doc): the catapult of a
bounded-slope loss lasts a few steps."""
RETEST = 0.7
WIDE = 4.0
"""An enclosure whose s or d radius exceeds this times 1 + |s| + |d| (midpoints) is given up: the box is split."""
CYCLE_TOLERANCE = 1e-10
"""Float64 pre-pass: a start is on a cycle of period p once |s_k − s_{k−p}| + |d_k − d_{k−p}| ≤ this times 1 + |s| + |d|
(with |s − μ| > :data:`CYCLE_AWAY` — not a slow approach to a minimiser)."""
CYCLE_AWAY = 1e-6
ORBIT_GRID = 12
"""orbit_choice runs float64 GD from ORBIT_GRID² cell centres of the box of starts and tries at most MAX_CYCLES of the
distinct cycles it finds."""
MAX_CYCLES = 8
ORBIT_SHAPES = (1, 4, 16)
"""Half-width ratios d/s of the orbit boxes tried around each point of a cycle."""
ORBIT_MULTIPLES = (1, 2, 3)
"""A cycle of period p gets boxes for F^p, F^2p and F^3p (up to MAX_PERIOD): more steps contract more, so the box can be
a little wider."""
MAX_PERIODIC_SEGMENTS = 256
"""The segment budget of a periodic leaf (:data:`MAX_SEGMENTS` for the others): measured at depth 5 on [0.05, 2]², h = 1.1,
256 certifies 1.6 times the periodic leaves of 64 for 1.25 times the time."""
ORBIT_DIGITS = 12
PATIENCE = 400
"""A periodic segment not inside an orbit box after this many steps is given up (an enclosure that holds a point of the
minimiser manifold — fixed by GD — never enters one, P4)."""


@dataclass
class BasinResult:
    """The outcome of :func:`basin`: leaf counts and certified area fractions (lower bounds for converges, diverges
    and periodic, an upper bound for undecided), the rechecked certificate and the leaves as boxes."""

    inputs: dict
    bits: int
    depth: int
    leaves: dict
    fractions: dict
    valid: bool
    failures: list
    work: int = 0
    seconds: float = 0.0
    boxes: list = field(default_factory=list, repr=False)
    certificate: dict | None = field(default=None, repr=False)
    tiles: dict = field(default_factory=dict)

    @property
    def leaves_per_second(self) -> float:
        return sum(self.leaves.values()) / self.seconds if self.seconds > 0 else math.inf

    def as_json(self, with_boxes: bool = False) -> dict:
        data = {"outcome": "basin", "inputs": self.inputs, "bits": self.bits, "depth": self.depth, "leaves": self.leaves,
                "fractions": self.fractions, "valid": self.valid, "failures": self.failures, "work": self.work, "seconds": round(self.seconds, 3),
                "tiles": self.tiles}
        if with_boxes:
            data["boxes"] = self.boxes
        return data


# -- choices the checker will test ------------------------------------------------------------------------
def escape_choice(problem: Problem, h: arb) -> dict | None:
    """λ, s_min (the first pair sympy proves), β₀ = :data:`BALANCE` and the least Q of 10^k·{1, 2, 5} meeting C1–C3."""
    for factor in SLOPE_FACTORS:
        start = next((t for t in THRESHOLDS if not basin_checker.growth_failures(problem, factor, t)), None)
        if start is None:
            if basin_checker.growth_failures(problem, factor, THRESHOLDS[-1])[0].startswith("escape needs"):
                return None
            continue
        for exponent in range(40):
            for lead in ("1", "2", "5"):
                choice = {"slope_factor": factor, "s_min": start, "balance": BALANCE, "q_min": f"{lead}e{exponent}"}
                if not escape_constants(problem, h, choice)[1]:
                    return choice
    return None


def _rounded(value: arb, digits: int, upward: bool) -> str:
    end = value.upper() if upward else value.lower()
    return _decimal(exact_fraction(end), digits, upward)


def region_choice(problem: Problem, h: arb, mu: arb, s: arb, d: arb) -> dict | None:
    """r̄ and a q-window [a, b] around the box for which the T6 inequalities hold (as in the one-start prover)."""
    residual = abs(s - mu)
    if not residual.upper() < arb("0.5"):
        return None
    r_bar = _rounded(residual.max(arb(10) ** -60), 3, True)
    q = norm_squared(s, d)
    if not q.is_finite():
        return None
    window = window_search(q, lambda a, b: region_bounds_at(problem, h, mu, s, q, from_decimal(r_bar), a, b), tries=12, digits=8)
    return None if window is None else {"r_bar": r_bar, "q_window": list(window[:2])}


def orbit_choice(problem: Problem, h: arb, numeric: _Numeric, corners) -> list[dict]:
    """Orbits for the certificate (module doc): boxes around the points of the cycles that float64 GD from a grid of
    starts of ``corners`` = [x0, x1, y0, y1] settles on, each accepted by the checker's attracting-box lemma."""
    x0, x1, y0, y1 = (float(v) for v in corners)
    centres = (numpy.arange(ORBIT_GRID) + 0.5) / ORBIT_GRID
    xs, ys = (grid.ravel() for grid in numpy.meshgrid(x0 + centres * (x1 - x0), y0 + centres * (y1 - y0)))
    orbits, tried, distinct = [], [], 0
    for period, x, y in numeric.cycles(xs, ys):
        points = []
        for _ in range(period):
            points.append((x * y, x * x - y * y))
            x, y = (float(v) for v in numeric.step(numpy.array(x), numpy.array(y)))
        if any(_near(point, other) for point in points for other in tried):
            continue
        distinct += 1
        if distinct > MAX_CYCLES:
            break
        tried += points
        multiples = [m * period for m in ORBIT_MULTIPLES if m * period <= basin_checker.MAX_PERIOD]
        for s, d in points:
            for multiple in multiples:
                for shape in ORBIT_SHAPES:
                    orbit = _largest_orbit(problem, h, multiple, s, d, shape)
                    if orbit is not None and len(orbits) < basin_checker.MAX_ORBITS:
                        orbits.append(orbit)
    return orbits


def _near(point: tuple, other: tuple) -> bool:
    return abs(point[0] - other[0]) + abs(point[1] - other[1]) <= 1e-6 * (1 + abs(point[0]) + abs(point[1]))


def _orbit(period: int, s: float, d: float, radius: float, shape: float) -> dict:
    box = [(s - radius, False), (s + radius, True), (d - shape * radius, False), (d + shape * radius, True)]
    return {"period": period, "box": [_decimal(Fraction(value), ORBIT_DIGITS, upward) for value, upward in box]}


def _largest_orbit(problem: Problem, h: arb, period: int, s: float, d: float, shape: float) -> dict | None:
    """The widest box (half-widths r and shape·r around (s, d), r halved from (1 + |s|)/4 down to 2⁻⁴⁰ of it, then
    refined by five geometric bisections) that :func:`orbit_failures` accepts; None when none is."""

    def accepted(radius):
        orbit = _orbit(period, s, d, radius, shape)
        return orbit if not orbit_failures(problem, h, orbit) else None

    radius = (1 + abs(s)) / 4
    for _ in range(40):
        found = accepted(radius)
        if found is not None:
            break
        radius /= 2
    else:
        return None
    low, high = radius, 2 * radius
    for _ in range(5):
        middle = math.sqrt(low * high)
        candidate = accepted(middle)
        if candidate is None:
            high = middle
        else:
            low, found = middle, candidate
    return found


# -- the float64 pre-pass (evidence only) ----------------------------------------------------------------
class _Numeric:
    """GD in float64 from a few points of a box: "converges" (|xy − μ| < 1e-9), "diverges" (q > 1e12), "periodic"
    (on a cycle of (s, d) of period ≤ MAX_PERIOD away from μ, :data:`CYCLE_TOLERANCE`) or "other"."""

    def __init__(self, problem: Problem, h: float, mu: float, max_steps: int):
        self.slope = sympy.lambdify(S, almost_everywhere(sympy.diff(problem.loss, S)), "numpy")
        self.h, self.mu, self.max_steps = h, mu, max_steps

    def outcomes(self, x: numpy.ndarray, y: numpy.ndarray) -> tuple[list[str], int]:
        """The outcome of each start, and the first step at which every converging start has |xy − μ| < 1e-3."""
        done, close, _ = self._run(x, y)
        return list(done), close

    def cycles(self, x: numpy.ndarray, y: numpy.ndarray) -> list[tuple[int, float, float]]:
        """(p, x, y) for each start found on a cycle: its period p in (s, d) and a point (x, y) of it."""
        done, _, found = self._run(x, y)
        return [found[i] for i in range(len(done)) if done[i] == "periodic"]

    def step(self, x, y):
        t = self.h * numpy.asarray(self.slope(x * y), dtype=float)
        return x - t * y, y - t * x

    def _run(self, x: numpy.ndarray, y: numpy.ndarray):
        x, y = x.astype(float), y.astype(float)
        done = numpy.zeros(x.shape, dtype="<U9")
        found = {}
        history = []
        close = None
        with numpy.errstate(all="ignore"):
            for k in range(self.max_steps + 1):
                s = x * y
                d = x * x - y * y
                r = numpy.abs(s - self.mu)
                q = x * x + y * y
                done[(done == "") & (r < 1e-9)] = "converges"
                done[(done == "") & ~(q < 1e12)] = "diverges"
                tolerance = CYCLE_TOLERANCE * (1 + numpy.abs(s) + numpy.abs(d))
                for period in range(1, min(len(history), basin_checker.MAX_PERIOD) + 1):
                    past_s, past_d = history[-period]
                    on_cycle = (done == "") & ~(r <= CYCLE_AWAY) & (numpy.abs(s - past_s) + numpy.abs(d - past_d) <= tolerance)
                    for i in numpy.flatnonzero(on_cycle):
                        found[int(i)] = (period, float(x[i]), float(y[i]))
                    done[on_cycle] = "periodic"
                if close is None and numpy.all((r < 1e-3) | (done == "diverges")):
                    close = k
                if numpy.all(done != ""):
                    break
                history = history[-basin_checker.MAX_PERIOD + 1:] + [(s, d)]
                x, y = self.step(x, y)
        done[done == ""] = "other"
        return done, close if close is not None else 0, found


# -- the search ----------------------------------------------------------------------------------------
class _Search:
    def __init__(self, problem, h, mu, escape, numeric, depth, max_steps, orbits=()):
        self.problem, self.h, self.mu, self.escape, self.numeric = problem, h, mu, escape, numeric
        self.depth, self.max_steps = depth, max_steps
        self.orbits = [orbit_bounds(orbit) for orbit in orbits]
        self.work = 0

    def node(self, box: tuple, level: int) -> dict:
        x0, x1, y0, y1 = box
        xs = numpy.array([float(v) for v in (x0, x1, x0, x1, (x0 + x1) / 2)])
        ys = numpy.array([float(v) for v in (y0, y0, y1, y1, (y0 + y1) / 2)])
        outcomes, close = self.numeric.outcomes(xs, ys)
        agreed = outcomes[0] if len(set(outcomes)) == 1 else None
        if agreed in ("converges", "diverges", "periodic") and (level >= 2 or level == self.depth):
            leaf = self.leaf(box, agreed, close, pieces=level >= self.depth - 1)
            if leaf is not None:
                return leaf
        if level >= self.depth:
            return {"outcome": "undecided"}
        return {"split": [self.node(quarter, level + 1) for quarter in basin_checker.quarters(*box)]}

    def leaf(self, box: tuple, expected: str, close: int, pieces: bool) -> dict | None:
        """Advance the checker's enclosure of the box and test the outcome the pre-pass suggests (cutting S_K into
        pieces only near the finest level, where the box will not be split again): first in (s, d) from the start,
        then after each (u, v) prefix of :data:`UV_PREFIXES` steps."""
        if expected == "diverges" and self.escape is None or expected == "converges" and self.mu is None or expected == "periodic" and not self.orbits:
            return None
        x, y = leaf_box(*box)
        level = 0 if pieces else MAX_LEVEL
        for prefix in (0, *UV_PREFIXES):
            self.segments = 0
            if prefix == 0:
                segment = self.segment(*start_enclosure(x, y), expected, max(0, close - 2), 0, level, origin=(x, y))
            else:
                s, d = uv_flight(self.problem, self.h, x, y, prefix)
                self.work += prefix
                if not (s.is_finite() and d.is_finite()):
                    return None
                segment = self.segment(s, d, expected, max(0, close - 2), prefix, level)
            if segment is not None:
                return {"outcome": expected, **({"uv_steps": prefix} if prefix else {}), **segment}
        return None

    def segment(self, s: arb, d: arb, expected: str, start: int, offset: int, level: int, origin=None) -> dict | None:
        """A segment of the leaf's certificate from the box (s, d) at step ``offset``: K steps, then a region, or the
        cut of S_K into :data:`PIECES` pieces when S_K has grown (each piece a segment; at most :data:`MAX_SEGMENTS`)."""
        self.segments += 1
        if self.segments > (MAX_PERIODIC_SEGMENTS if expected == "periodic" else MAX_SEGMENTS):
            return None
        enclosure = Enclosure(self.problem, self.h, s, d, origin)
        smallest, tested = float(s.rad()), 0.5 / RETEST
        for k in range(self.max_steps - offset + 1):
            if expected == "periodic" and k > PATIENCE:
                return None
            if k:
                s, d = enclosure.advance()
                self.work += 1
            if not (s.is_finite() and d.is_finite()):
                return None
            radius = float(s.rad())
            if max(radius, float(d.rad())) > WIDE * (1 + abs(float(s.mid())) + abs(float(d.mid()))):
                return None
            if expected == "diverges":
                if escaped(s, d, self.escape["balance"], self.escape["q_min"]):
                    return {"steps": k}
            elif expected == "periodic":
                index = next((i for i, bounds in enumerate(self.orbits) if inside(s, d, bounds)), None)
                if index is not None:
                    return {"steps": k, "orbit": index}
            elif offset + k >= start and (residual := float(abs(s - self.mu).upper())) <= RETEST * tested:
                tested = residual  # a failed test is tried again once |S − μ| has shrunk by RETEST
                region = region_choice(self.problem, self.h, self.mu, s, d)
                if region is not None and not converges_failures(
                    self.problem, self.h, self.mu, s, d, from_decimal(region["r_bar"]), *(from_decimal(v) for v in region["q_window"])
                ):
                    return {"steps": k, "region": region}
            smallest = min(smallest, radius)
            if level < MAX_LEVEL and radius > max(SPLIT_RADIUS, GROWTH * smallest):
                return self._cut(s, d, expected, start, offset + k, level, k)
        return None

    def _cut(self, s: arb, d: arb, expected: str, start: int, offset: int, level: int, steps: int) -> dict | None:
        pieces = []
        for piece in basin_checker.split_s(s, PIECES):
            child = self.segment(piece, d, expected, start, offset, level + 1)
            if child is None:
                return None
            pieces.append(child)
        return {"steps": steps, "pieces": pieces}


def _leaf_boxes(tree, corners) -> list:
    return [{"box": [_decimal(v, 30, upward=False) if i % 2 == 0 else _decimal(v, 30, upward=True) for i, v in enumerate(box)],
             "outcome": node["outcome"], **({"steps": node["steps"]} if "steps" in node else {})}
            for _, node, *box in basin_checker.walk(tree, corners)]


TILE_LEVEL = 3
"""The tiles of a search are the quadtree's nodes at this level (4³ = 64 sub-boxes; the level is ``depth`` when that is
smaller), one Dask task each: enough for two cores, or a small cluster, to share the work when a few tiles near the
basin's boundary take most of it (``benchmarks/bench_basin.py --scheduler``)."""
MAX_CACHED_SEARCHES = 8


@dataclass(frozen=True)
class _Setup:
    """Everything the search of a tile depends on, as plain data (what a Dask task receives): the exact inputs, the
    prover's choices (the minimiser interval, the escape constants, the orbit boxes), μ as a float for the pre-pass,
    the budget and the tile level."""

    inputs: dict
    bits: int
    depth: int
    max_steps: int
    minimiser: list | None
    escape: dict | None
    orbits: list
    mu: float
    tile_level: int

    @property
    def key(self) -> str:
        """A hash of all of it and of the package's version: the name under which finished tiles are kept."""
        from llgd_proof import __version__

        fields = {"kind": "llgd-basin-tiles", "version": __version__, "inputs": self.inputs, "bits": self.bits, "depth": self.depth,
                  "max_steps": self.max_steps, "minimiser": self.minimiser, "escape": self.escape, "orbits": self.orbits, "mu": repr(self.mu),
                  "tile_level": self.tile_level}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


_SEARCHES: dict[str, tuple] = {}
_SEARCHES_LOCK = threading.Lock()


def _search(setup: _Setup, kind: type = _Search) -> _Search:
    """A fresh search (no work yet) for ``setup``, under ``working_bits(setup.bits)``: its problem, balls and float64
    pre-pass are built once per process (forked workers inherit the caller's; others build their own)."""
    key = setup.key
    with _SEARCHES_LOCK:
        if key not in _SEARCHES:
            problem, _ = basin_checker.basin_problem(setup.inputs)
            h = from_decimal(setup.inputs["h"])
            mu = None if setup.minimiser is None else from_decimal(setup.minimiser[0]).union(from_decimal(setup.minimiser[1]))
            escape = None if setup.escape is None else escape_constants(problem, h, setup.escape)[0]
            numeric = _Numeric(problem, float(Fraction(setup.inputs["h"])), setup.mu, setup.max_steps)
            while len(_SEARCHES) >= MAX_CACHED_SEARCHES:
                _SEARCHES.pop(next(iter(_SEARCHES)))
            _SEARCHES[key] = (problem, h, mu, escape, numeric)
        parts = _SEARCHES[key]
    return kind(*parts, setup.depth, setup.max_steps, setup.orbits)


class _AboveTiles(_Search):
    """The search down to the tile level — the same choices in the same order, leaf attempts included — leaving at each
    node of that level a placeholder ``{"tile": name}``: that node's subtree is a task of its own (:func:`_tile`)."""

    corners: list
    tile_level: int
    tiles: dict

    def node(self, box: tuple, level: int) -> dict:
        if level < self.tile_level:
            return super().node(box, level)
        name = _tile_name(box, self.corners, level)
        self.tiles[name] = box
        return {"tile": name}


def _tile_name(box: tuple, corners: list, level: int) -> str:
    """``x<i>-y<j>``: the tile's column and row among the 2^level × 2^level sub-boxes of the box ``corners``."""
    x, y = ((box[2 * axis] - corners[2 * axis]) * 2**level / (corners[2 * axis + 1] - corners[2 * axis]) for axis in (0, 1))
    return f"x{x.numerator}-y{y.numerator}"


def _tile(setup: _Setup, box: tuple) -> dict:
    """One tile (a Dask task): the search's subtree of the node ``box`` at the tile level, and its ball steps."""
    with working_bits(setup.bits):
        search = _search(setup)
        tree = search.node(box, setup.tile_level)
    return {"tree": tree, "work": search.work}


def _tile_value(value) -> str | None:
    """Why a kept tile cannot be used (None when it can): it must be ``{"tree": a node, "work": ball steps}``."""
    if isinstance(value, dict) and set(value) == {"tree", "work"} and isinstance(value["tree"], dict) and type(value["work"]) is int and value["work"] >= 0:
        return None
    return "it is not a tile's {tree, work}"


def _filled(node: dict, subtrees: dict) -> dict:
    """The tree above the tiles with each placeholder replaced by its tile's subtree."""
    if "tile" in node:
        return subtrees[node["tile"]]
    if "split" in node:
        return {"split": [_filled(child, subtrees) for child in node["split"]]}
    return node


def basin(*, loss: str, h: str, box, mu: str | None = None, depth: int = DEFAULT_DEPTH, bits: int = DEFAULT_BITS,
          max_steps: int = DEFAULT_MAX_STEPS, scheduler: str | None = None, workers: int | None = None, cache_dir=None,
          progress: bool = False) -> BasinResult:
    """Certify the outcome of GD on f = ℓ(xy) for the starts of ``box`` = [x0, x1, y0, y1] (module doc).

    Arguments are exact decimal strings (``loss`` a catalogue name or an expression in s); the checker's
    CertificateError (an input error) for a loss or box it cannot read. The caller (:func:`llgd_proof.api.basin`)
    checks the types and ranges.

    The search runs here down to :data:`TILE_LEVEL`; the subtree of each node there (a tile) is a task of one Dask graph
    (:func:`llgd_proof.scale.tasks.run_tasks`: ``scheduler``, ``workers`` and ``progress`` as for ``llgd atlas``), and
    with ``cache_dir`` each finished tile is kept there, so the same call again skips it. The tree is put together
    exactly as the one recursion would make it, so the certificate is the same whatever ran the tiles; the whole
    certificate is then rechecked by the independent checker, kept tiles included (a kept tile it refuses is a
    StoreError naming the folder).
    """
    started = time.perf_counter()
    inputs = {"loss": loss, "mu": None if mu is None else str(mu).strip(), "h": str(h).strip(), "box": [str(v).strip() for v in box]}
    problem, corners = basin_checker.basin_problem(inputs)
    objective = build_objective({"loss": loss, "mu": inputs["mu"], "dim": 1})
    minimiser = locate_minimiser(problem, objective.loss.mu) if objective.loss.mu is not None else None
    with working_bits(bits):
        h_ball = from_decimal(inputs["h"])
        escape_strings = escape_choice(problem, h_ball)
        mu_float = float(sympy.N(objective.loss.mu)) if objective.loss.mu is not None else math.nan
        numeric = _Numeric(problem, float(Fraction(inputs["h"])), mu_float, max_steps)
        orbits = orbit_choice(problem, h_ball, numeric, corners)  # periodic leaves: the orbit boxes, chosen before the search
    setup = _Setup(inputs, bits, depth, max_steps, minimiser, escape_strings, orbits, mu_float, min(depth, TILE_LEVEL))
    with working_bits(bits):  # held while the tiles run: with Dask's threads they share Arb's one global precision
        above = _search(setup, _AboveTiles)
        above.corners, above.tile_level, above.tiles = corners, setup.tile_level, {}
        top = above.node(tuple(corners), 0)
        tasks = {name: (_tile, (setup, tile_box)) for name, tile_box in above.tiles.items()}
        values, stats = run_tasks(tasks, kind="basin", key=setup.key, cache_dir=cache_dir, accept=_tile_value, scheduler=scheduler,
                                  workers=workers, progress=progress)
    tree = _filled(top, {name: value["tree"] for name, value in values.items()})
    work = above.work + sum(value["work"] for value in values.values())
    try:
        counts, fractions = basin_checker.tally(tree, corners)
        certificate = {"kind": basin_checker.KIND, "version": basin_checker.VERSION, "inputs": inputs, "bits": bits, "minimiser": minimiser,
                       "escape": escape_strings, "orbits": orbits, "tree": tree, "leaves": counts, "fractions": fractions}
        checked = basin_checker.recheck_basin(certificate)
        failure = None if checked.valid else checked.failures[0]
    except CertificateError as error:
        if not stats["cached"]:
            raise
        failure = str(error)
    if failure is not None:
        if stats["cached"]:
            raise StoreError(f"the tiles kept in {stats['folder']} do not make a certificate the checker accepts ({failure}); "
                             "delete that folder and run again")
        raise RuntimeError(f"internal error: the checker refuses the basin certificate the prover wrote ({failure})")
    tiles = {"tiles": stats["tasks"], **{name: stats[name] for name in ("cached", "computed", "healed", "scheduler", "workers", "folder")}}
    return BasinResult(inputs=inputs, bits=bits, depth=depth, leaves=counts, fractions=fractions, valid=checked.valid, failures=checked.failures,
                       work=work, seconds=time.perf_counter() - started, boxes=_leaf_boxes(tree, corners), certificate=certificate, tiles=tiles)


__all__ = ["BasinResult", "basin", "escape_choice", "orbit_choice", "region_choice"]
