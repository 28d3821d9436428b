"""Sphinx extension: write the generated pages of the llgd_proof site from the library itself.

Run at ``builder-inited`` (before Sphinx looks for source files), so every page below is an ordinary
MyST source when Sphinx reads. Everything here is generated, never hand-edited, and git-ignored:

``notebooks/``   the jupytext notebooks of the repository as .ipynb without outputs (myst-nb executes them);
``catalogue/``   one page per theorem in ``llgd_proof.theorems.THEOREMS`` and per claim file in
                 ``llgd_proof/claims/*.toml``, with the verdicts of their cases computed now;
``cli/``         one page per ``llgd`` verb, from the argparse definitions (``cli.build_parser()``),
                 with the README's examples of that verb and the JSON fields its example prints;
``api/``         the API reference (autodoc), with ``llgd_proof.claims.claim`` when it exists.

Features that other parts of the library add later (theorem versions, claim files, new verbs) appear
here without a hand edit; attributes that may not exist yet are read with ``getattr``/``.get``.
A file is rewritten only when its text changes, so incremental builds stay incremental.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from notebook_format import as_ipynb as _as_ipynb
from sphinx.util import logging

logger = logging.getLogger(__name__)

GENERATED = ("notebooks", "catalogue", "cli", "api")
NEEDS_TORCH = {"06_networks.py"}  # as tests/test_notebooks.py: the network notebook needs the [nn] extra
CHECK_BUDGET_SECONDS = float(os.environ.get("LLGD_DOCS_CHECK_BUDGET", "120"))  # verdicts past this are not computed
EXAMPLE_TIMEOUT_SECONDS = float(os.environ.get("LLGD_DOCS_EXAMPLE_TIMEOUT", "20"))  # one README example of a verb
EXAMPLE_BUDGET_SECONDS = float(os.environ.get("LLGD_DOCS_EXAMPLE_BUDGET", "60"))  # all of them
WRITES_FILES = ("--plot", "--latex", "--certificate", "--out", "--cache-dir")  # examples we do not run at build time


# -- small helpers ---------------------------------------------------------------------------------


def _write(path: Path, text: str, written: set[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    written.add(path.resolve())
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _prune(directory: Path, written: set[Path]) -> None:
    """Remove generated files that no longer correspond to anything (a theorem removed, a verb renamed)."""
    if not directory.exists():
        return
    for path in sorted(directory.rglob("*"), reverse=True):
        if path.is_file() and path.resolve() not in written:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|$#])")


def text(value) -> str:
    """Plain text made safe for MyST (inline and in table cells): markup characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "unnamed"


def fence(body: str, language: str = "text") -> str:
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}{language}\n{body.rstrip()}\n{ticks}\n"


def math_block(latex: str) -> str:
    return f"```{{math}}\n{latex.strip()}\n```\n"


def inline_math(latex: str) -> str:
    latex = " ".join(latex.split())
    return f"${latex}$" if latex and "$" not in latex else f"`{latex}`"


def quote_arg(value: str) -> str:
    return shlex.quote(str(value))


# -- the llgd parser, introspected -------------------------------------------------------------------


def _verbs(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.ArgumentParser, str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return {name: (sub, helps.get(name, "")) for name, sub in action.choices.items()}
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


class Commands:
    """Build ``llgd`` command lines, using only verbs and options the parser really has."""

    def __init__(self, verbs):
        self.verbs = verbs

    def has(self, verb: str, *options: str) -> bool:
        return verb in self.verbs and all(o in _options(self.verbs[verb][0]) for o in options)

    def case_arguments(self, case: dict, verb: str) -> list[str] | None:
        """``--loss/--objective ... --h ... --init ...`` for a case (as in ``Case.as_json()``), or None."""
        args: list[str] = []

        def add(option: str, value: str) -> None:
            if self.has(verb, option):
                args.extend([option, value])

        if case.get("loss"):
            if not self.has(verb, "--loss"):
                return None
            add("--loss", quote_arg(case["loss"]))
            if case.get("mu") is not None:
                add("--mu", quote_arg(case["mu"]))
            if int(case.get("dim", 1) or 1) > 1:
                add("--dim", str(case["dim"]))
        elif case.get("objective"):
            if not self.has(verb, "--objective", "--vars"):
                return None
            add("--objective", quote_arg(case["objective"]))
            add("--vars", ",".join(case.get("variables") or ()))
        else:
            return None
        if not self.has(verb, "--h", "--init"):
            return None
        init = ",".join(str(v) for v in case.get("init", ()))
        args += ["--h", quote_arg(case.get("h")), f"--init={init}" if init.startswith("-") else f"--init {init}"]
        for name, value in (case.get("parameters") or {}).items():
            add("--set", f"{name}={value}")
        return args


# -- notebooks -------------------------------------------------------------------------------------


def _copy_notebooks(repo: Path, out: Path, written: set[Path]) -> list[str]:
    has_torch = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("sklearn") is not None
    copied = []
    for source in sorted((repo / "notebooks").glob("*.py")):
        if source.name in NEEDS_TORCH and not has_torch:
            logger.info(f"[llgd] skipping {source.name}: PyTorch is not installed (the [nn] extra)")
            continue
        _write(out / f"{source.stem}.ipynb", _as_ipynb(source.read_text(encoding="utf-8")), written)
        copied.append(source.name)
    return copied


# -- the theorem catalogue ---------------------------------------------------------------------------


def _check(theorem, case):
    if not hasattr(theorem, "id"):  # a Claim: its check takes a Case (or its fields) only
        return theorem.check(case)
    try:
        return theorem.check(case, precision_check=True)
    except TypeError:  # a check without the keyword (e.g. a comparative theorem)
        return theorem.check(case)


class Verdicts:
    """Check cases within a time budget, so the build stays inside CI's budget whatever the library grows into."""

    def __init__(self, budget: float):
        self.done: dict[str, dict] = {}  # a counterexample appears on the page of every version in its history
        self.budget = budget
        self.spent = 0.0
        self.count = 0
        self.skipped = 0

    def run(self, theorem, case) -> dict:
        try:
            key = json.dumps([getattr(theorem, "id", repr(theorem)), case.as_json()], sort_keys=True, default=str)
        except (AttributeError, TypeError):
            key = None
        if key is not None and key in self.done:
            return self.done[key]
        data = self._run(theorem, case)
        if key is not None:
            self.done[key] = data
        return data

    def _run(self, theorem, case) -> dict:
        if self.spent > self.budget:
            self.skipped += 1
            return {"verdict": None, "detail": f"not computed: the build's {self.budget:g} s budget for verdicts was spent"}
        start = time.perf_counter()
        try:
            data = _check(theorem, case).as_json()
        except Exception as error:  # a default case that cannot be checked is a defect: fail the build (-W)
            logger.warning(f"[llgd] {getattr(theorem, 'id', getattr(theorem, 'name', theorem))}: checking {case.describe()} raised {type(error).__name__}: {error}")
            data = {"verdict": "error", "detail": f"{type(error).__name__}: {error}"}
        finally:
            self.spent += time.perf_counter() - start
            self.count += 1
        data["seconds"] = time.perf_counter() - start
        return data


def _case_label(case) -> str:
    label = getattr(case, "label", "") or ""
    return case.describe() + (f" — {label}" if label else "")


def _finding(item: dict, key: str) -> str:
    mark = {True: "✓", False: "✗", None: "?"}.get(item.get(key), "?")
    return f"{mark} {item.get('name', '')}: {item.get('detail', '')}"


def _verdict_rows(results: list[tuple[object, dict]]) -> list[str]:
    lines = ["| case | verdict | conclusion | hypotheses |", "|---|---|---|---|"]
    for case, data in results:
        verdict = data.get("verdict") or "—"
        proof = data.get("proof") or data.get("proved")
        if isinstance(proof, dict):
            proof = proof.get("outcome") or proof.get("status")
        verdict_cell = f"**{text(verdict)}**" + (f" ({text(proof)})" if isinstance(proof, str) and proof else "")
        conclusion = data.get("conclusion") or {}
        conclusion_cell = text(_finding(conclusion, "holds")) if conclusion else text(data.get("detail", ""))
        hypotheses = "; ".join(_finding(h, "met") for h in data.get("hypotheses") or [])
        lines.append(f"| {text(_case_label(case))} | {verdict_cell} | {conclusion_cell} | {text(hypotheses)} |")
    return lines


def _history(theorem, theorems: dict) -> list:
    """Every version linked to ``theorem`` through replaces / replaced_by (and the same title family), oldest first."""
    linked, frontier = {theorem.id}, [theorem.id]
    while frontier:
        current = theorems.get(frontier.pop())
        if current is None:
            continue
        neighbours = [getattr(current, "replaces", None), getattr(current, "replaced_by", None)]
        neighbours += [t.id for t in theorems.values() if current.id in (getattr(t, "replaces", None), getattr(t, "replaced_by", None))]
        for other in neighbours:
            if other and other in theorems and other not in linked:
                linked.add(other)
                frontier.append(other)
    versions = [theorems[i] for i in linked]
    return sorted(versions, key=lambda t: (getattr(t, "version", 1), t.id))


def _module_of(theorem):
    """The theorem module that defines ``theorem`` (as ``THEOREM`` or in ``VERSIONS``), or None."""
    for name, module in sorted(sys.modules.items()):
        if name.startswith("llgd_proof.theorems.") and module is not None:
            defined = [getattr(module, "THEOREM", None), *getattr(module, "VERSIONS", ())]
            if any(candidate is theorem for candidate in defined):
                return module
    return None


def theorem_page(theorem, theorems, commands: Commands, verdicts: Verdicts, repo: Path) -> str:
    info = theorem.as_json()
    status, version, kind = info.get("status", "current"), info.get("version", 1), info.get("kind", "pointwise")
    lines = [f"# {text(theorem.id)}: {text(theorem.title)}", ""]
    if status != "current":
        successor = info.get("replaced_by")
        lines += ["```{admonition} " + f"{status.capitalize()} formalisation", ":class: warning", ""]
        lines.append(f"Version {version} is {status}" + (f"; see [{text(successor)}]({slug(successor)}.md)." if successor in theorems else "."))
        lines += ["```", ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| id | `{theorem.id}` |",
        f"| provenance | `{text(info.get('provenance', ''))}` |",
        f"| version | {text(version)} ({text(status)}) |",
        f"| kind | {text(kind)} |",
        f"| family | {text(getattr(theorem, 'family', ''))} |",
        f"| reference | {text(info.get('reference') or '—')} |",
    ]
    if info.get("note"):
        lines.append(f"| note | {text(info['note'])} |")
    lines += ["", "## Statement", "", math_block(info.get("statement", ""))]
    lines += ["## Hypotheses", ""]
    for hypothesis in info.get("hypotheses", []):
        lines.append(f"- **{text(hypothesis.get('name', ''))}**: {inline_math(hypothesis.get('latex', ''))}")
    if not info.get("hypotheses"):
        lines.append("None.")
    conclusion = info.get("conclusion", {})
    lines += ["", "## Conclusion", "", f"**{text(conclusion.get('name', ''))}**", "", math_block(conclusion.get("latex", ""))]
    if info.get("parameters"):
        lines += ["Parameters (override with `llgd check ... --set NAME=VALUE`): "
                  + ", ".join(f"`{name}` = {text(value)}" for name, value in info["parameters"].items()), ""]

    history = _history(theorem, theorems)
    lines += ["## Version history", ""]
    if len(history) == 1 and not info.get("counterexample"):
        lines += ["One version; no refuted variant.", ""]
        history = []
    for other in history:
        data = other.as_json()
        here = " (this page)" if other.id == theorem.id else ""
        link = f"[`{other.id}`]({slug(other.id)}.md)" if not here else f"`{other.id}`"
        lines.append(f"- **version {text(data.get('version', 1))}**, {text(data.get('status', 'current'))}: {link}{here}")
        if data.get("counterexample"):
            counter = other.counterexample
            lines.append(f"  - counterexample: {text(counter.describe())}")
            if data.get("reproduce"):
                lines.append(f"  - reproduce: `{data['reproduce']}`")
            result = verdicts.run(other, counter)
            lines.append(f"  - verdict on the counterexample, computed for this build: **{text(result.get('verdict') or '—')}**"
                         + (f" ({text(_finding(result['conclusion'], 'holds'))})" if result.get("conclusion") else f" ({text(result.get('detail', ''))})"))
    lines.append("")

    cases = list(getattr(theorem, "cases", []) or [])
    lines += ["## Default cases and their verdicts", ""]
    if cases:
        lines += [f"Computed when this site was built (`Theorem.check`, with the higher-precision repeat). ✓ met / holds, ✗ not, ? undecided.", ""]
        lines += _verdict_rows([(case, verdicts.run(theorem, case)) for case in cases]) + [""]
    else:
        lines += ["This theorem has no default cases.", ""]

    lines += ["## Commands", ""]
    blocks = []
    if info.get("reproduce"):
        blocks.append(("Reproduce its counterexample", [info["reproduce"]]))
    check_lines = [f"llgd check {quote_arg(theorem.id)} " + " ".join(args) for case in cases
                   if (args := commands.case_arguments(case.as_json(), "check")) is not None]
    if check_lines:
        blocks.append(("Check it on its default cases", check_lines))
    losses = [case.loss for case in cases if getattr(case, "loss", None)]
    if losses and commands.has("property") and kind != "comparative":  # a comparative verdict is already a search
        blocks.append(("Search for a counterexample over a loss family (hypothesis, with shrinking)",
                       [f"llgd property {quote_arg(theorem.id)} --loss {quote_arg(losses[0])} --examples 50"]))
    if commands.has("prove", "--h", "--init") and kind != "comparative":
        prove_lines = [f"llgd prove " + " ".join(args) for case in cases
                       if (args := commands.case_arguments(case.as_json(), "prove")) is not None]
        if prove_lines:
            blocks.append(("Prove each case (certified engine)", prove_lines))
    if commands.has("latex"):
        latex_lines = [f"llgd latex {quote_arg(theorem.id)}"]
        if losses and commands.has("latex", "--loss"):
            latex_lines.append(f"llgd latex {quote_arg(theorem.id)} --loss {quote_arg(losses[0])}")
        blocks.append(("Typeset it", latex_lines))
    for title, block in blocks:
        lines += [f"{title}:", "", fence("\n".join(block), "bash")]
    lines += ["See the [command reference](../cli/index.md).", ""]

    module = _module_of(theorem)
    doc = (getattr(module, "__doc__", "") or "").strip()
    if doc:
        source = module.__file__
        where = Path(source).resolve().relative_to(repo.resolve()) if Path(source).resolve().is_relative_to(repo.resolve()) else Path(source).name
        lines += ["## From the theorem's module", "", f"The docstring of `{where}`:", "", fence(doc)]
    return "\n".join(lines)


def _claim_case_dict(case) -> dict:
    if isinstance(case, dict):
        data = dict(case)
        if isinstance(data.get("init"), str):
            data["init"] = [v.strip() for v in data["init"].split(",")]
        if isinstance(data.get("vars"), (list, str)) and "variables" not in data:
            data["variables"] = data["vars"] if isinstance(data["vars"], list) else data["vars"].split(",")
        return data
    if hasattr(case, "as_json"):
        return case.as_json()
    return {}


def claim_page(path: Path, repo: Path, commands: Commands, verdicts: Verdicts) -> str:
    import tomllib

    source = path.read_text(encoding="utf-8")
    relative = path.resolve().relative_to(repo.resolve()).as_posix()
    try:
        data = tomllib.loads(source)
    except Exception as error:
        logger.warning(f"[llgd] claim file {relative} is not valid TOML: {error}")
        data = {}
    name = data.get("name") or path.stem
    lines = [f"# Claim: {text(name)}", "", f"Claim file `{relative}`.", ""]
    meta = [(key, data.get(key)) for key in ("provenance", "reference") if data.get(key)]
    if meta:
        lines += ["| | |", "|---|---|"] + [f"| {key} | {text(value)} |" for key, value in meta] + [""]
    if data.get("statement"):
        lines += [text(data["statement"]), ""]

    claim, latex = None, None
    api = importlib.import_module("llgd_proof.api")
    loader = getattr(api, "load_claim", None)
    if loader is not None:
        try:
            claim = loader(str(path))
            latex = claim.latex() if hasattr(claim, "latex") else None
        except Exception as error:
            logger.warning(f"[llgd] api.load_claim({relative}) raised {type(error).__name__}: {error}")
    lines += ["## Hypotheses", ""] + [f"- `{h}`" for h in data.get("hypotheses", [])] + ([""] if data.get("hypotheses") else ["None.", ""])
    lines += ["## Conclusion", "", f"`{data.get('conclusion', '')}`", ""]
    if latex:
        lines += ["## Typeset (`llgd latex --claim`)", ""]
        if isinstance(latex, dict):
            for key, value in latex.items():
                lines += [f"{text(key)}:", "", fence(str(value), "latex")]
        else:
            lines += [fence(str(latex), "latex")]

    cases = list(getattr(claim, "cases", None) or []) if claim is not None else []
    raw_cases = data.get("cases") or []
    lines += ["## Cases and their verdicts", ""]
    if claim is not None and cases and hasattr(claim, "check"):
        lines += ["Computed when this site was built.", ""]
        lines += _verdict_rows([(case, verdicts.run(claim, case)) for case in cases]) + [""]
    elif raw_cases:
        lines += ["Cases of the file (verdicts need `api.load_claim`):", "", fence(json.dumps(raw_cases, indent=2), "json")]
    else:
        lines += ["The file lists no cases.", ""]
    if data.get("domain"):
        lines += ["## Search domain", "", fence(json.dumps(data["domain"], indent=2), "json")]

    lines += ["## Commands", ""]
    case_dicts = [_claim_case_dict(c) for c in (cases or raw_cases)]
    blocks = []
    for verb, title in (("check", "Check it on its cases"), ("prove", "Prove its cases")):
        if commands.has(verb, "--claim"):
            block = [f"llgd {verb} --claim {relative} " + " ".join(args) for case in case_dicts
                     if (args := commands.case_arguments(case, verb)) is not None]
            if block:
                blocks.append((title, block))
    if commands.has("property", "--claim"):
        blocks.append(("Search for a counterexample in its domain", [f"llgd property --claim {relative}"]))
    if commands.has("latex", "--claim"):
        blocks.append(("Typeset it", [f"llgd latex --claim {relative}"]))
    if commands.has("verify", "--claims"):
        blocks.append(("Verify it with the built-in library", [f"llgd verify --claims {path.parent.resolve().relative_to(repo.resolve()).as_posix()}"]))
    for title, block in blocks:
        lines += [f"{title}:", "", fence("\n".join(block), "bash")]
    if not blocks:
        lines += ["The `llgd` verbs of this build take no `--claim` option yet.", ""]
    lines += ["## The file", "", fence(source, "toml")]
    return "\n".join(lines)


def write_catalogue(out: Path, repo: Path, commands: Commands, written: set[Path]) -> None:
    from llgd_proof.theorems import THEOREMS

    verdicts = Verdicts(CHECK_BUDGET_SECONDS)
    start = time.perf_counter()
    rows = []
    for theorem in THEOREMS.values():
        _write(out / f"{slug(theorem.id)}.md", theorem_page(theorem, THEOREMS, commands, verdicts, repo), written)
        rows.append(theorem)
    claim_files = sorted((repo / "llgd_proof" / "claims").glob("*.toml"))
    for path in claim_files:
        _write(out / "claims" / f"{slug(path.stem)}.md", claim_page(path, repo, commands, verdicts), written)

    lines = [
        "# Theorem catalogue",
        "",
        "Generated from `llgd_proof.theorems.THEOREMS`"
        + (" and the claim files in `llgd_proof/claims/`" if claim_files else "")
        + " when this site was built: one page per theorem (refuted versions included, beside what replaced them),"
        " with its statement, provenance, hypotheses, conclusion, version history, and the verdicts of its default"
        " cases computed at build time. Provenance labels are explained on the [theory page](../theory.md).",
        "",
        "| id | title | provenance | version | status | kind | default cases (verdicts at build time) |",
        "|---|---|---|---|---|---|---|",
    ]
    for theorem in rows:
        info = theorem.as_json()
        counts: dict[str, int] = {}
        for case in getattr(theorem, "cases", []) or []:  # already computed for the theorem's page (cached)
            verdict = verdicts.run(theorem, case).get("verdict") or "not computed"
            counts[verdict] = counts.get(verdict, 0) + 1
        summary = ", ".join(f"{count} {verdict}" for verdict, count in counts.items()) or "none"
        lines.append(f"| [`{theorem.id}`]({slug(theorem.id)}.md) | {text(theorem.title)} | `{text(info.get('provenance', ''))}` "
                     f"| {text(info.get('version', 1))} | {text(info.get('status', 'current'))} | {text(info.get('kind', 'pointwise'))} "
                     f"| {text(summary)} |")
    lines.append("")
    if claim_files:
        lines += ["## Claim files", "", "Claims stated as data (TOML), checked like the built-in theorems.", ""]
        lines += [f"- [`{p.name}`](claims/{slug(p.stem)}.md)" for p in claim_files] + [""]
    toc = [slug(t.id) for t in rows] + [f"claims/{slug(p.stem)}" for p in claim_files]
    lines += ["```{toctree}", ":hidden:", ""] + toc + ["```", ""]
    _write(out / "index.md", "\n".join(lines), written)
    logger.info(f"[llgd] catalogue: {len(rows)} theorems, {len(claim_files)} claims, {verdicts.count} checks in "
                f"{time.perf_counter() - start:.1f} s" + (f", {verdicts.skipped} skipped (budget)" if verdicts.skipped else ""))


# -- the command reference ---------------------------------------------------------------------------


def readme_examples(repo: Path) -> dict[str, list[str]]:
    """``llgd VERB ...`` lines of the code blocks of the README and of docs/reference.md, by verb (comments kept)."""
    examples: dict[str, list[str]] = {}
    text = "\n".join(path.read_text(encoding="utf-8") for path in (repo / "README.md", repo / "docs" / "reference.md") if path.exists())
    inside = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
            continue
        stripped = line.strip()
        if inside and stripped.startswith("llgd "):
            parts = stripped.split()
            if len(parts) > 1:
                examples.setdefault(parts[1], []).append(stripped)
    return examples


def _without_comment(line: str) -> str:
    try:
        return shlex.join(shlex.split(line, comments=True))
    except ValueError:
        return ""


def _example_command(parser, examples: list[str]) -> list[str] | None:
    """The first README example of a verb that writes no file, with ``--json``; None if there is none."""
    if "--json" not in _options(parser):
        return None
    for example in examples:
        command = _without_comment(example)
        words = shlex.split(command) if command else []
        if not words or any(w.split("=")[0] in WRITES_FILES for w in words):
            continue
        return words if "--json" in words else [*words, "--json"]
    return None


class Examples:
    """Run the verbs' README examples one after another on a background thread, while the catalogue is checked.

    One at a time, so they take one core and leave the other to the verdicts; each gets at most
    ``EXAMPLE_TIMEOUT_SECONDS``, and none starts after ``EXAMPLE_BUDGET_SECONDS`` in all.
    """

    def __init__(self, commands: dict[str, list[str]], repo: Path):
        import concurrent.futures

        self.workdir = Path(tempfile.mkdtemp(prefix="llgd-docs-"))
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
        self.deadline = time.monotonic() + EXAMPLE_BUDGET_SECONDS
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.futures = {verb: self.pool.submit(self._run, words) for verb, words in commands.items() if words}

    def _run(self, words: list[str]) -> str:
        command = shlex.join(words)
        timeout = min(EXAMPLE_TIMEOUT_SECONDS, self.deadline - time.monotonic())
        if timeout <= 0:
            return f"The example `{command}` was not run while building this site (time budget); its fields are described in the README.\n"
        try:
            done = subprocess.run([sys.executable, "-m", "llgd_proof.cli.main", *words[1:]], cwd=self.workdir, env=self.env,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"The example `{command}` was not run to the end while building this site (it takes longer than {timeout:.0f} s); its fields are described in the README.\n"
        if done.returncode not in (0, 1):
            reason = (done.stderr.strip().splitlines() or [""])[-1]
            return f"The example `{command}` could not run where this site was built (exit code {done.returncode}: {text(reason)}); its fields are described in the README.\n"
        try:
            value = json.loads(done.stdout)
        except json.JSONDecodeError:
            return f"The example `{command}` printed no single JSON document (exit code {done.returncode}).\n"
        return f"JSON fields, as printed by `{command}` when this site was built: {_json_fields(value)}.\n"

    def result(self, verb: str) -> str:
        future = self.futures.get(verb)
        return future.result() if future is not None else ""

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _json_fields(value) -> str:
    if isinstance(value, list):
        return ("a list of objects with " + _json_fields(value[0])) if value and isinstance(value[0], dict) else "a list"
    if not isinstance(value, dict):
        return f"a {type(value).__name__}"
    parts = []
    for key, item in value.items():
        if isinstance(item, dict) and item and len(item) <= 12 and all(isinstance(k, str) for k in item):
            parts.append(f"`{key}` ({', '.join(f'`{k}`' for k in item)})")
        else:
            parts.append(f"`{key}`")
    return ", ".join(parts)


def write_cli(out: Path, repo: Path, verbs, examples_run: Examples, written: set[Path]) -> None:
    examples = readme_examples(repo)
    parser_help = _help_text(_main_parser())
    index = [
        "# The `llgd` command",
        "",
        "Generated from the argparse definitions (`llgd_proof.cli.parser.build_parser()`) when this site was built. Every verb",
        "takes `--json` for one strict JSON object on stdout; a user mistake prints one sentence and exits 2. Run it as",
        "`llgd VERB ...` after `pip install .` (or `python -m llgd_proof.cli.main VERB ...` from a checkout).",
        "",
        fence(parser_help),
        "| verb | what it does |",
        "|---|---|",
    ]
    index += [f"| [`{name}`]({slug(name)}.md) | {text(summary)} |" for name, (_, summary) in verbs.items()]
    index += ["", "```{toctree}", ":hidden:", ""] + [slug(name) for name in verbs] + ["```", ""]
    _write(out / "index.md", "\n".join(index), written)
    for name, (parser, summary) in verbs.items():
        page = [f"# llgd {text(name)}", "", text(summary[:1].upper() + summary[1:]) + ("." if summary and not summary.endswith(".") else ""), ""]
        page += ["## Usage", "", fence(_help_text(parser))]
        if examples.get(name):
            page += ["## Examples (from the README)", "", fence("\n".join(examples[name]), "bash")]
        fields = examples_run.result(name)
        if fields:
            page += ["## JSON output", "", fields]
        _write(out / f"{slug(name)}.md", "\n".join(page), written)


def _main_parser():
    from llgd_proof.cli.parser import build_parser

    return build_parser()


def _help_text(parser: argparse.ArgumentParser) -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps to the terminal; fix the width so the pages do not depend on it
    try:
        return parser.format_help()
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


# -- the API reference -----------------------------------------------------------------------------------


API_MODULES = ["llgd_proof.api", "llgd_proof.search.strategies", "llgd_proof.claims.claim"]  # each with its own module docstring


def write_api(out: Path, written: set[Path]) -> None:
    lines = ["# API reference", "", "Generated by autodoc from the docstrings of the public modules.", ""]
    for module in API_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin in (None, "namespace"):  # llgd_proof.claims.claim exists only once claims land
            continue
        importlib.import_module(module)
        # eval-rst: the MyST form of automodule documents no members under Sphinx 9
        lines += [f"## `{module}`", "", f"```{{eval-rst}}\n.. automodule:: {module}\n   :members:\n```", ""]
    _write(out / "index.md", "\n".join(lines), written)


# -- the hook ------------------------------------------------------------------------------------------------


def generate(app) -> None:
    srcdir = Path(app.srcdir)
    repo = srcdir.parent
    written: set[Path] = set()
    begin = time.perf_counter()

    parser = _main_parser()
    verbs = _verbs(parser)
    commands = Commands(verbs)
    examples = readme_examples(repo)
    examples_run = Examples({name: _example_command(sub, examples.get(name, [])) for name, (sub, _) in verbs.items()}, repo)

    copied = _copy_notebooks(repo, srcdir / "notebooks", written)
    write_api(srcdir / "api", written)
    write_catalogue(srcdir / "catalogue", repo, commands, written)
    write_cli(srcdir / "cli", repo, verbs, examples_run, written)
    examples_run.close()
    specification = repo.parent / "shared" / "reference" / "theory.md"  # beside the clone, read-only, where it exists
    copy = srcdir / "spec" / "theory.md"
    if specification.exists() and copy.exists() and specification.read_bytes() != copy.read_bytes():
        logger.info(f"[llgd] docs/spec/theory.md differs from {specification}; copy it again to render the current theory")
    for name in GENERATED:
        _prune(srcdir / name, written)
    logger.info(f"[llgd] generated {len(written)} pages ({len(copied)} notebooks, {len(verbs)} verbs) in {time.perf_counter() - begin:.1f} s")


_LITERAL = re.compile(r"(``.+?``|:math:`[^`]*`|`[^`]*`_?)")


def escape_bars(app, what, name, obj, options, lines: list[str]) -> None:
    """Let docstrings write absolute values |x| as plain text (they are written for ``help()`` first).

    reST reads ``|x0|`` as a substitution reference, which fails the build under ``-W``. Outside literal blocks,
    doctest blocks and inline literals or roles, ``|`` is escaped; everything else is left as the author wrote it.
    """
    literal_indent = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:
            if not stripped or indent > literal_indent:
                continue
            literal_indent = None
        if stripped.startswith(">>>"):
            continue
        if "|" in line:
            parts = _LITERAL.split(line)
            lines[index] = "".join(part if i % 2 else part.replace("|", "\\|") for i, part in enumerate(parts))
        if stripped.endswith("::"):
            literal_indent = indent


def setup(app):
    app.connect("builder-inited", generate)
    app.connect("autodoc-process-docstring", escape_bars)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
