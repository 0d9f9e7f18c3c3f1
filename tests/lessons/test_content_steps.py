"""Lessons 2, 3, 4, 7, 8, 9, 10: every step's change applies to the lesson's example (as the app
applies it: edits undo cleanly) and leaves a network that validates against its data."""
from __future__ import annotations

import copy

import pytest

from nnstudio.data import load_from_spec
from nnstudio.lessons import apply_change, get_lesson
from nnstudio.training.project import target_of
from nnstudio.training.settings import TrainingSettings
from nnstudio.ui.plots import ALL_DOCKS

from tests.lessons.lesson_helpers import example_of

MINE = ["non-linearity", "hierarchy", "vanishing-gradients", "overfitting", "correlations", "representations", "architectures"]
DOCKS = {cls.__name__ for cls in ALL_DOCKS}
#: steps that change what an earlier step made (others apply to the example itself)
AFTER = {"Use a plain RNN instead": "Switch to a long sequence with an LSTM",
         "Remove the activation": "Put tanh after Layer 1", "Switch the activation to ReLU": "Put tanh after Layer 1"}


NODE_SIZE = (180.0, 90.0)  # a layer node on the canvas, with its parameter line


def overlapping(graph) -> list[tuple[str, str]]:
    """Pairs of layer nodes whose boxes overlap on the canvas."""
    pos = [(n.name, n.pos) for n in graph.nodes.values()]
    return [(a, b) for i, (a, (xa, ya)) in enumerate(pos) for b, (xb, yb) in pos[i + 1:]
            if abs(xa - xb) < NODE_SIZE[0] and abs(ya - yb) < NODE_SIZE[1]]


@pytest.mark.parametrize("lesson_id", MINE)
def test_every_step_applies_validates_and_undoes(lesson_id):
    lesson = get_lesson(lesson_id)
    example = example_of(lesson)
    assert example.meta.get("title") and example.meta.get("description")
    assert 2 <= len(lesson.paragraphs) <= 4 and len(lesson.steps) >= 3
    for step in lesson.steps:
        assert set(step.look_at) <= DOCKS, (step.label, step.look_at)
        assert step.then in ("", "reset", "train", "step")
        if step.change is None:
            continue
        project = example
        if step.label in AFTER:
            earlier = next(s for s in lesson.steps if s.label == AFTER[step.label])
            project = apply_change(example, earlier.change(example))
        change = step.change(project)
        if change.keep_weights:  # a step that reuses trained weights: as if the network had trained
            project = copy.copy(project)
            project.weights = {nid: {} for nid in change.keep_weights}
        changed = apply_change(project, change)
        TrainingSettings.from_dict(changed.training)
        target = target_of(load_from_spec(changed.data))
        problems = [p for p in changed.graph.validate(target) if p.severity == "error"]
        assert problems == [], (step.label, [p.describe(changed.graph) for p in problems])
        assert overlapping(changed.graph) == [], step.label  # new nodes never land on old ones
        if change.edit is not None:
            assert changed.graph != project.graph, step.label
            change.edit.revert(changed.graph)  # Ctrl+Z gives the graph back exactly
            assert changed.graph == project.graph, step.label
