"""atheris: personal identity codes and business IDs from any bytes."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from harness import fuzz_main, typed

from welfarekit.errors import InvalidValue
from welfarekit.model.identity_codes import PersonalIdentityCode, validate_business_id


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="surrogateescape")
    code = typed(lambda: PersonalIdentityCode(text))
    if isinstance(code, PersonalIdentityCode):
        assert code.value.isascii()
        assert len(code.value) == 11
        assert PersonalIdentityCode(code.value) == code
    else:
        assert isinstance(code, InvalidValue)
    business_id = typed(lambda: validate_business_id(text))
    assert business_id == text or isinstance(business_id, InvalidValue)


if __name__ == "__main__":
    fuzz_main(test_one_input)
