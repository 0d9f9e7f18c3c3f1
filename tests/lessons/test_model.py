"""The lesson model's data rule: a step's data keys merge into the description, unless they name
another source, which then starts from its own defaults."""
from __future__ import annotations

from hypothesis import given, strategies as st

from nnstudio.lessons.model import changed_data

SOURCES = st.sampled_from(["toy", "digits", "words", "sequence"])
KEYS = st.dictionaries(st.sampled_from(["n", "seed", "noise", "name", "val_ratio"]), st.integers(0, 9), max_size=4)


@given(SOURCES, KEYS, st.one_of(st.none(), SOURCES), KEYS)
def test_a_step_merges_its_data_keys_unless_it_switches_the_source(old_source, old_keys, new_source, new_keys):
    old = {"source": old_source, **old_keys}
    values = dict(new_keys) if new_source is None else {"source": new_source, **new_keys}
    out = changed_data(old, values)
    if new_source is None or new_source == old_source:
        assert out == {**old, **values}
    else:  # the old source's keys would be refused by the new one's loader
        assert out == values
    assert old == {"source": old_source, **old_keys}  # the project's own description is not touched


def test_no_description_yet_takes_the_steps_keys():
    assert changed_data(None, {"source": "words", "n": 10}) == {"source": "words", "n": 10}
    assert changed_data({}, {"seed": 3}) == {"seed": 3}
