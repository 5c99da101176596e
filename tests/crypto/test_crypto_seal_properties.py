"""Property: any text opens in its own context and in no context that differs in one field."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from welfarekit.crypto import Keyset, Plaintext, SealBroken, SealContext, open_sealed, seal

KEYSET = Keyset.new().rotate()  # two keys: the property holds whichever sealed
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]))
NAMES = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=24)
VERSIONS = st.integers(min_value=0, max_value=2**40)
CONTEXTS = st.builds(
    SealContext,
    provider_id=NAMES,
    register=NAMES,
    record_type=NAMES,
    record_id=NAMES,
    field=NAMES,
    student_id=NAMES,
    version=VERSIONS,
)
FIELDS = [field.name for field in attrs.fields(SealContext)]


@given(plaintext=TEXT, context=CONTEXTS, data=st.data())
def test_open_undoes_seal_and_any_single_field_change_breaks_it(
    plaintext: str, context: SealContext, data: st.DataObject
) -> None:
    sealed = seal(KEYSET, plaintext, context)

    assert open_sealed(KEYSET, sealed, context) == Plaintext(plaintext)

    field = data.draw(st.sampled_from(FIELDS), label="field")
    current = getattr(context, field)
    values = VERSIONS if field == "version" else NAMES
    other = data.draw(values.filter(lambda value: value != current), label="other")
    change: dict[str, Any] = {field: other}
    with pytest.raises(SealBroken):
        open_sealed(KEYSET, sealed, attrs.evolve(context, **change))


@given(plaintext=TEXT, context=CONTEXTS, data=st.data())
def test_any_flipped_bit_breaks_the_seal(
    plaintext: str, context: SealContext, data: st.DataObject
) -> None:
    sealed = bytearray(seal(KEYSET, plaintext, context))
    position = data.draw(st.integers(min_value=0, max_value=len(sealed) - 1), label="byte")
    sealed[position] ^= 1 << data.draw(st.integers(min_value=0, max_value=7), label="bit")

    with pytest.raises(SealBroken):
        open_sealed(KEYSET, bytes(sealed), context)
