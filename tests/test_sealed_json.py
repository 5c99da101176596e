"""The JSON an entry's content is sealed as, made without the encoder's pass over the text,
is byte for byte what ``Vault.seal_json`` seals; and what the vault opens parses as
``json.loads`` parses it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from welfarekit.crypto import Keyset, open_sealed
from welfarekit.errors import InvalidValue
from welfarekit.records import _entry_content, _seal_entry
from welfarekit.vault import Vault, from_json


def _dumps(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _content(text: str, **changes: Any) -> dict[str, Any]:
    return {"author_title": "psykologi", "text": text, "participants": [], "measures": [],
            "correction_reason": None, "withheld_from_guardian": None} | changes  # fmt: skip


TEXTS = ["Käytiin läpi tilanne.", 'hän sanoi "ei"', "a\\b", "rivi\nrivi\tsarake", "\x7f\u2028",
         "😀 tausta", "\x00\x1f"]  # fmt: skip


@pytest.mark.parametrize("text", TEXTS)
def test_an_entrys_content_is_the_json_seal_json_seals(text: str) -> None:
    assert _entry_content(_content(text)) == _dumps(_content(text))
    other = _content(text, author_title=text, correction_reason=text, withheld_from_guardian=text,
                     participants=[{"name": text, "position": "rehtori"}],
                     measures=[{"measure": text, "responsible": "x", "follow_up_by": "y",
                                "due": None}])  # fmt: skip
    assert _entry_content(other) == _dumps(other)


@given(st.text(), st.one_of(st.none(), st.text()))
def test_any_text_makes_the_same_json(text: str, reason: str | None) -> None:
    content = _content(text, correction_reason=reason)
    try:
        expected = _dumps(content)
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            _entry_content(content)
        return
    assert _entry_content(content) == expected


def test_text_that_is_not_unicode_is_refused_as_seal_json_refuses_it() -> None:
    keyset, context = Keyset.new(), Vault.context("p", "s", "entry", "e1")
    with pytest.raises(InvalidValue, match="plaintext"):
        _seal_entry(keyset, _content("lone \udc80"), context)
    sealed = _seal_entry(keyset, _content("Käytiin"), context)
    assert Vault.open_json(keyset, sealed, context) == _content("Käytiin")
    assert open_sealed(keyset, sealed, context).reveal().encode() == _dumps(_content("Käytiin"))


@pytest.mark.parametrize(
    "text", ['{"a":[1,2.5,null,true]}', ' {"a":1}', '{"a":1} ', "[]", '"x"', "1", "\ufeff{}"]
)
def test_from_json_parses_as_json_loads(text: str) -> None:
    try:
        expected = json.loads(text)
    except json.JSONDecodeError as error:
        with pytest.raises(json.JSONDecodeError, match=re.escape(error.msg)):
            from_json(text)
        return
    assert from_json(text) == expected


@pytest.mark.parametrize("text", ["", "{", '{"a":1}x', "{} {}", "nul"])
def test_from_json_refuses_what_json_loads_refuses(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        from_json(text)
