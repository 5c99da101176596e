"""Keeping communal documents free of identifiable students (OHL § 14(2); DOMAIN.md § 2).

The steering group and the institution welfare groups handle communal matters only: their
agendas, minutes, crisis logs and the welfare plan must not name a student. Before such a
text is stored it is scanned for the name of any student the directory knows (a given name
with the family name, in either order, whatever the case or punctuation, also in common
inflected forms such as *Aino Korhosen*) and for anything
that is a valid personal identity code; either refuses the text with
:class:`IdentifiesStudent`, which says how to take an individual matter forward instead.

The scan is pure (:class:`NameIndex` over the students given); the session loads the
provider's students.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

from welfarekit.errors import InvalidValue
from welfarekit.model import PersonalIdentityCode, Student

__all__ = ["FORWARD_INSTEAD", "IdentifiesStudent", "NameIndex"]

FORWARD_INSTEAD = (
    "communal groups handle communal matters only (OHL § 14(2)); take an individual "
    "student's matter forward with the student instead: a referral to a welfare professional "
    "(Session.refer, § 16) or an expert group on the student's consent "
    "(Session.propose_expert_group, § 14(4))"
)

_WORD = re.compile(r"\w+", re.UNICODE)
_CODE = re.compile(r"\b\d{6}[-+A-FYXWVU]\d{3}[0-9A-Y]\b", re.IGNORECASE)


class IdentifiesStudent(InvalidValue):
    """A communal text names a student (by name or identity code). The message says how
    to take the matter forward and never repeats the name (it may end up in a log)."""

    def __init__(self, field: str, *, by: str, count: int) -> None:
        super().__init__(field, f"names a student ({count} mention(s), by {by}); {FORWARD_INSTEAD}")
        self.by = by
        self.count = count


def _tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFC", text).casefold()
    return _WORD.findall(folded)


class NameIndex:
    """The names of a provider's students, ready to be looked for in a text."""

    def __init__(self, students: Iterable[Student]) -> None:
        self._names: dict[tuple[str, ...], set[str]] = {}
        # stem -> (student id, "given" or "family"), for names inflected in running text
        self._stems: dict[str, set[tuple[str, str]]] = {}
        for student in students:
            family = tuple(_tokens(student.family_name))
            given = _tokens(student.given_names)
            if not family or not given:
                continue
            for first in given:
                for name in ((first, *family), (*family, first)):
                    self._names.setdefault(name, set()).add(student.id)
                for stem in _stems(first):
                    self._stems.setdefault(stem, set()).add((student.id, "given"))
            self._names.setdefault((*given, *family), set()).add(student.id)
            if len(family) == 1:
                for stem in _stems(family[0]):
                    self._stems.setdefault(stem, set()).add((student.id, "family"))
        self._lengths = sorted({len(name) for name in self._names})

    def students_named(self, text: str) -> set[str]:
        """The ids of the students whose name appears in ``text``: a given name next to the
        family name, in either order, also inflected (*Korhosen*, *Ainolle*)."""
        words = _tokens(text)
        found: set[str] = set()
        for length in self._lengths:
            for start in range(len(words) - length + 1):
                found |= self._names.get(tuple(words[start : start + length]), set())
        parts = [self._parts(word) for word in words]
        for left, right in itertools.pairwise(parts):
            for student_id, part in left:
                other = "family" if part == "given" else "given"
                if (student_id, other) in right:
                    found.add(student_id)
        return found

    def _parts(self, word: str) -> set[tuple[str, str]]:
        """Which students' names ``word`` is a form of: a stem followed by at most
        :data:`_SUFFIX` letters of ending."""
        found: set[tuple[str, str]] = set()
        for cut in range(max(_MIN_STEM, len(word) - _SUFFIX), len(word) + 1):
            found |= self._stems.get(word[:cut], set())
        return found

    def check(self, field: str, text: str) -> None:
        """Refuse ``text`` if it names a student or holds a personal identity code."""
        named = self.students_named(text)
        if named:
            raise IdentifiesStudent(field, by="name", count=len(named))
        codes = [m.group(0) for m in _CODE.finditer(text) if _valid_code(m.group(0))]
        if codes:
            raise IdentifiesStudent(field, by="personal identity code", count=len(codes))


_MIN_STEM = 3
_SUFFIX = 5
_VOWELS = set("aeiouyäö")


def _stems(name: str) -> set[str]:
    """The stems a Finnish name takes before case endings: itself (*Aino* → *Ainolle*), the
    -nen names' s-stem (*Korhonen* → *Korhosen*) and the weak grade of a double consonant
    (*Mikko* → *Mikon*)."""
    stems = {name}
    if name.endswith("nen") and len(name) > 4:
        stems.add(name[:-3] + "s")
    if len(name) > 3 and name[-1] in _VOWELS and name[-2] == name[-3] and name[-2] not in _VOWELS:
        stems.add(name[:-2] + name[-1])
    return {stem for stem in stems if len(stem) >= _MIN_STEM}


def _valid_code(candidate: str) -> bool:
    try:
        PersonalIdentityCode(candidate.upper())
    except InvalidValue:
        return False
    return True
