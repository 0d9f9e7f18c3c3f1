"""Project-file fuzzer: mutants of the shipped example projects.

Byte flips, truncations, insertions and JSON-level mutations (values replaced by
huge numbers, NaN, infinities, wrong types, deep nesting; keys deleted) must end
in one of our errors (an NNStudioError) or in a project that saves and loads
back to the same project - never a traceback, a hang or a memory blow-up.

Hypothesis draws an example file and a seed; each example then checks BATCH
mutants made from that seed (hypothesis' own overhead per example is larger
than a load). Derandomized, so CI runs the same ~2,900 mutants every time; a
failure names the file, the seed and the mutations, which reproduce it.
"""
from __future__ import annotations

import base64
import copy
import json
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnstudio.errors import NNStudioError
from nnstudio.io import checks, parse_project
from tests.fuzzing import MemoryBound, time_limit

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "nnstudio" / "resources" / "examples").glob("*.nnstudio"))
RAW = {p.name: p.read_bytes() for p in EXAMPLES}
DOCS = {name: json.loads(raw) for name, raw in RAW.items()}
CASE_SECONDS = 10
CASE_MB = 64
BATCH = 8
TRACE_EVERY = 4  # memory is measured on every 4th mutant (tracing is slow)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEEDS = st.integers(0, 2 ** 32 - 1)

# tokens put into the JSON text as is (Python's json cannot write some of them)
RAW_TOKENS = ["NaN", "-Infinity", "Infinity", "1e400", "-1e400", "1" + "0" * 5000, "-" + "9" * 4400,
              "1" + "0" * 40, "123456789012345678901234567890", "0.1e-400", "-0", "1E+2", "[" * 200 + "]" * 200]
SCALARS: list[Any] = [None, True, False, 0, -1, 1, 2, 3, 7, 2 ** 31, 2 ** 63, -10 ** 12, 0.5, -0.0, 1e-300, 1e300,
                      float("nan"), float("inf"), -float("inf"), "", "out", "in", "Dense", "Input", "Output", "n1",
                      "e1", "g1", "cross_entropy", "mse", "relu", "toy", "csv", "npz-base64", "\x00", "\U0001f4a5",
                      "x" * 300] + [f"@@{i}@@" for i in range(len(RAW_TOKENS))]
KEYS = ["id", "kind", "params", "pos", "src", "dst", "src_port", "dst_port", "nodes", "edges", "groups", "x",
        "curves", "units", "shape", "name", "meta", "final", "epochs"]


def nasty(rng: random.Random, depth: int = 0) -> Any:
    """A value a damaged or hostile file might hold where something else was expected."""
    r = rng.random()
    if depth > 2 or r < 0.6:
        return rng.choice(SCALARS) if rng.random() < 0.8 else rng.uniform(-1e6, 1e6)
    if r < 0.8:
        return [nasty(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): nasty(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into ``doc`` (keys and list indices)."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.extend(_paths(v, prefix + (i,)))
    return out


def _set(doc: Any, path: tuple, value: Any, delete: bool) -> Any:
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def _to_text(doc: Any) -> bytes:
    text = json.dumps(doc, indent=1, ensure_ascii=False)  # writes NaN/Infinity literals
    for i, token in enumerate(RAW_TOKENS):
        text = text.replace(f'"@@{i}@@"', token)
    return text.encode("utf-8", "surrogatepass")


def _check(raw: bytes) -> str:
    """Load ``raw``: our error, or a project that saves and reloads to the same project."""
    try:
        project = parse_project(raw, "fuzz.nnstudio")
    except NNStudioError as exc:
        assert "fuzz.nnstudio" in str(exc)
        return "refused"
    doc = project.to_document()
    text = checks.dumps_document(doc, "fuzz.nnstudio")  # what save_project writes
    again = parse_project(text.encode("utf-8"), "again.nnstudio")
    assert again.graph == project.graph
    assert again.meta == project.meta and again.runs == project.runs
    assert again.data == project.data and again.training == project.training
    assert (again.weights is None) == (project.weights is None)
    # a loaded project can be validated (the app does it at once)
    project.graph.validate()
    return "opened"


def json_mutant(doc: Any, rng: random.Random) -> tuple[Any, list[str]]:
    """``doc`` with 1-3 values replaced (or keys deleted); returns the mutant and what was done."""
    doc = copy.deepcopy(doc)
    done = []
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(doc) if p and not (p[0] == "weights" and len(p) > 1)]
        path = rng.choice(paths) if paths else ()
        delete = bool(path) and rng.random() < 0.1
        value = nasty(rng)
        doc = _set(doc, path, value, delete)
        done.append(f"del {path}" if delete else f"{path} = {str(value)[:60]}")
    return doc, done


_BYTE_OPS = ("flip", "set", "truncate", "insert", "delete", "digit", "digit", "digit")
_DIGIT = re.compile(rb"[0-9]")


def byte_mutant(raw: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """``raw`` with 1-4 byte-level changes; returns the mutant and what was done."""
    b = bytearray(raw)
    done = []
    for _ in range(rng.randint(1, 4)):
        if not b:
            break
        op = rng.choice(_BYTE_OPS)
        i = rng.randrange(len(b))
        blob = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
        if op == "digit":  # keeps the JSON valid: another number somewhere
            digits = [m.start() for m in _DIGIT.finditer(b)]
            if digits:
                i = rng.choice(digits)
                b[i] = 48 + rng.randrange(10)
        elif op == "flip":
            b[i] ^= 1 << rng.randrange(8)
        elif op == "set":
            b[i:i + len(blob)] = blob
        elif op == "truncate":
            del b[i:]
        elif op == "insert":
            b[i:i] = blob
        else:
            del b[i:i + rng.randint(1, 64)]
        done.append(f"{op}@{i}")
    return bytes(b), done


def _run_batch(label: str, seed: int, make, outcomes: dict, bound: MemoryBound) -> None:
    rng = random.Random(seed)
    for i in range(BATCH):
        raw, done = make(rng)
        with time_limit(CASE_SECONDS), bound.case(trace=i % TRACE_EVERY == 0):
            try:
                outcomes[_check(raw)] += 1
            except BaseException as exc:
                raise AssertionError(f"{label} mutant {i} of seed {seed}: {done}") from exc


def test_json_level_mutants_of_the_examples():
    outcomes = {"refused": 0, "opened": 0}

    def make(name):
        def mutant(rng):
            doc, done = json_mutant(DOCS[name], rng)
            return _to_text(doc), done
        return mutant

    @FUZZ
    @given(name=st.sampled_from(sorted(DOCS)), seed=SEEDS)
    def case(name, seed):
        _run_batch(name, seed, make(name), outcomes, bound)

    with MemoryBound(CASE_MB) as bound:
        case()
    assert outcomes["refused"] > 200 and outcomes["opened"] > 100, outcomes


def test_byte_level_mutants_of_the_examples():
    outcomes = {"refused": 0, "opened": 0}

    @FUZZ
    @given(name=st.sampled_from(sorted(RAW)), seed=SEEDS)
    def case(name, seed):
        _run_batch(name, seed, lambda rng: byte_mutant(RAW[name], rng), outcomes, bound)

    with MemoryBound(CASE_MB) as bound:
        case()
    assert outcomes["refused"] > 200 and outcomes["opened"] > 100, outcomes


def _project_with_weights() -> dict:
    """The xor example with small weights stored (the examples ship untrained)."""
    project = parse_project(RAW["xor.nnstudio"])
    rng = np.random.default_rng(0)
    project.weights = {nid: {"weight": rng.normal(size=(8, 2)).astype(np.float32), "bias": np.zeros(8, np.float32)}
                       for nid in list(project.graph.nodes)[:3]}
    return json.loads(checks.dumps_document(project.to_document(), "x"))


def test_mutants_of_the_stored_weights():
    """Byte damage inside the base64 weights: the project opens, with or without them (then a warning)."""
    doc0 = _project_with_weights()
    raw0 = base64.b64decode(doc0["weights"]["data"])
    outcomes = {"refused": 0, "opened": 0}
    kept = []

    def mutant(rng):
        mutated, done = byte_mutant(raw0, rng)
        doc = copy.deepcopy(doc0)
        doc["weights"]["data"] = base64.b64encode(mutated).decode("ascii")
        raw = _to_text(doc)
        project = parse_project(raw, "fuzz.nnstudio")  # opens: damage in the weights only warns
        kept.append(project.weights is not None)
        assert project.weights is not None or any("weights" in w for w in project.warnings)
        return raw, done

    @settings(FUZZ, max_examples=60)
    @given(seed=SEEDS)
    def case(seed):
        _run_batch("weights", seed, mutant, outcomes, bound)

    with MemoryBound(CASE_MB) as bound:
        case()
    assert outcomes["refused"] == 0 and kept.count(False) > 100, (outcomes, kept.count(False))
    assert bound.worst_mb > 0  # the bound was measured
