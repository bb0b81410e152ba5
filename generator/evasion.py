"""Name manipulations evaders use, one pure function per class, each pure given its rng.

Shared by the generator's evasion variants (`dinarwatch generate --evasion-rate`) and the
sanctions test deck (bench/testdeck re-exports them), so both use the same tricks.

Every function takes a random.Random and a name and returns the manipulated name, or None when
the class does not apply to that name (no Latin letter to swap, no bank word, a name too short
to cut at 35 characters, ...). The bench counts inapplicable cases apart rather than inventing
a different manipulation. Where a function changes one word it picks the longest word: the
distinctive part of a name is the one an evader has to hide.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

Manipulation = Callable[[random.Random, str], str | None]

CYRILLIC = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "i": "\u0456", "j": "\u0458", "o": "\u043e",
    "p": "\u0440", "s": "\u0455", "x": "\u0445", "y": "\u0443", "A": "\u0410", "B": "\u0412",
    "C": "\u0421", "E": "\u0415", "H": "\u041d", "I": "\u0406", "J": "\u0408", "K": "\u041a",
    "M": "\u041c", "O": "\u041e", "P": "\u0420", "S": "\u0405", "T": "\u0422", "X": "\u0425",
    "Y": "\u04ae",
}  # fmt: skip
"""Latin letter -> Cyrillic look-alike (Unicode TS #39 confusables)."""

GREEK = {
    "A": "\u0391", "B": "\u0392", "E": "\u0395", "H": "\u0397", "I": "\u0399", "K": "\u039a",
    "M": "\u039c", "N": "\u039d", "O": "\u039f", "P": "\u03a1", "T": "\u03a4", "X": "\u03a7",
    "Y": "\u03a5", "Z": "\u0396", "o": "\u03bf", "v": "\u03bd", "i": "\u03b9", "u": "\u03c5",
}  # fmt: skip
"""Latin letter -> Greek look-alike (Unicode TS #39 confusables)."""

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
SOFT_HYPHEN = "\u00ad"
BIDI_CONTROLS = (
    "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069",
)  # fmt: skip

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "INVESTMENT": ("Inv", "Invest", "Inv."),
    "INVESTMENTS": ("Inv", "Invest"),
    "ORGANIZATION": ("Org", "Org."),
    "ORGANISATION": ("Org", "Org."),
    "INTERNATIONAL": ("Intl", "Int'l", "Intl."),
    "BANK": ("Bk", "Bk."),
    "BRANCH": ("Br.", "Br"),
    "DEVELOPMENT": ("Dev", "Dev."),
    "ESTABLISHMENT": ("Est", "Est."),
    "COMPANY": ("Co", "Co."),
    "CORPORATION": ("Corp", "Corp."),
    "LIMITED": ("Ltd", "Ltd."),
    "INDUSTRIES": ("Ind", "Inds"),
    "TRADING": ("Trdg",),
    "GENERAL": ("Gen", "Gen."),
    "FINANCE": ("Fin", "Fin."),
    "ISLAMIC": ("Isl", "Isl."),
}
"""Whole word (upper case) -> abbreviations seen in payment messages."""

BANK_WORDS = ("BANK", "BANQUE", "BANKA", "MASRAF", "MASRIF", "MESREF", "\u0645\u0635\u0631\u0641")
BANK_VARIANTS = ("Masraf", "Masrif", "Mesref", "\u0645\u0635\u0631\u0641", "Banque", "Banka")

LEGAL_FORMS = (
    "LLC", "L.L.C.", "LTD", "LTD.", "LIMITED", "CO", "CO.", "COMPANY", "PJSC", "PLC", "JSC",
    "CJSC", "ZAO", "OOO", "AG", "GMBH", "SA", "S.A.", "SAL", "S.A.L.", "INC", "INC.", "CORP",
    "CORP.", "CORPORATION", "FZE", "FZCO", "FZC", "LLP", "PVT", "A.S.", "AS", "BV", "B.V.",
)  # fmt: skip
ADDED_FORMS = ("LLC", "Ltd", "Co.", "PJSC", "FZE", "Company")

SWIFT_LINE = 35
"""Characters per name/address line in an MT message's party fields (50K, 59, 52D, 57D)."""

_LETTERS = re.compile(r"[A-Za-z]")


def _words(name: str) -> list[str]:
    return name.split(" ")


def _longest_word_index(words: list[str], minimum: int = 1) -> int | None:
    best = None
    for i, word in enumerate(words):
        letters = len(_LETTERS.findall(word))
        if letters >= minimum and (best is None or letters > len(_LETTERS.findall(words[best]))):
            best = i
    return best


def _inside_positions(word: str) -> list[int]:
    """Positions strictly inside a word between two letters (so the word is really split)."""
    return [i for i in range(1, len(word)) if word[i - 1].isalpha() and word[i].isalpha()]


def _replace_letters(rng: random.Random, name: str, table: dict[str, str]) -> str | None:
    positions = [i for i, ch in enumerate(name) if ch in table]
    if not positions:
        return None
    count = 1 if len(positions) < 4 else 2
    chars = list(name)
    for i in rng.sample(positions, count):
        chars[i] = table[chars[i]]
    return "".join(chars)


def cyrillic_lookalikes(rng: random.Random, name: str) -> str | None:
    """One or two Latin letters replaced by Cyrillic look-alikes (BANK MELLAT -> BАNK MELLAT)."""
    return _replace_letters(rng, name, CYRILLIC)


def greek_lookalikes(rng: random.Random, name: str) -> str | None:
    """One or two Latin letters replaced by Greek look-alikes."""
    return _replace_letters(rng, name, GREEK)


def _insert_inside_word(rng: random.Random, name: str, piece: str) -> str | None:
    words = _words(name)
    i = _longest_word_index(words, minimum=2)
    if i is None:
        return None
    positions = _inside_positions(words[i])
    if not positions:
        return None
    at = rng.choice(positions)
    words[i] = words[i][:at] + piece + words[i][at:]
    return " ".join(words)


def zero_width(rng: random.Random, name: str) -> str | None:
    """A zero-width character (U+200B/C/D, U+2060, U+FEFF) inside the longest word."""
    return _insert_inside_word(rng, name, rng.choice(ZERO_WIDTH))


def soft_hyphen(rng: random.Random, name: str) -> str | None:
    """A soft hyphen (U+00AD) inside the longest word: invisible when printed."""
    return _insert_inside_word(rng, name, SOFT_HYPHEN)


def bidi_control(rng: random.Random, name: str) -> str | None:
    """A bidirectional control (LRM, RLM, embeddings, overrides, isolates) inside a word."""
    return _insert_inside_word(rng, name, rng.choice(BIDI_CONTROLS))


def hyphen_injected(rng: random.Random, name: str) -> str | None:
    """A hyphen inside the longest word (MELLAT -> MEL-LAT)."""
    return _insert_inside_word(rng, name, "-")


def space_injected(rng: random.Random, name: str) -> str | None:
    """A space inside the longest word (MELLAT -> MEL LAT)."""
    return _insert_inside_word(rng, name, " ")


def spaced_letters(rng: random.Random, name: str) -> str | None:
    """The longest word written letter by letter (KATAIB -> K A T A I B)."""
    found = _letter_word(rng, name, 3)
    if found is None:
        return None
    words, _ = found
    i = max(
        (k for k, w in enumerate(words) if w.isalpha() and len(w) >= 3), key=lambda k: len(words[k])
    )
    words[i] = " ".join(words[i])
    return " ".join(words)


def _bare(word: str) -> str:
    """A word as the tables hold it: upper case, without a trailing full stop or comma."""
    return word.upper().strip(".,")


def abbreviation(rng: random.Random, name: str) -> str | None:
    """One word the lexicon may lack abbreviated (Investment -> Inv, Bank -> Bk, ...)."""
    return _replace_word(
        rng,
        name,
        lambda word: _bare(word) in ABBREVIATIONS,
        lambda word: rng.choice(ABBREVIATIONS[_bare(word)]),
    )


def bank_word(rng: random.Random, name: str) -> str | None:
    """The word for bank replaced by a variant (Masraf, Masrif, Mesref, مصرف, Banque, Banka)."""
    return _replace_word(
        rng,
        name,
        lambda word: _bare(word) in BANK_WORDS,
        lambda word: rng.choice([v for v in BANK_VARIANTS if v.upper() != _bare(word)]),
    )


def swift_cut(name: str) -> tuple[str, str] | None:
    """The name as an MT party field holds it: the first 35 characters on the name line, the
    rest continued on the next line (the last word of line one may be cut short)."""
    if len(name) <= SWIFT_LINE:
        return None
    first, rest = name[:SWIFT_LINE], name[SWIFT_LINE:]
    if not first.strip() or not rest.strip():
        return None
    return first, rest.strip()


def swift_cut_first_line(rng: random.Random, name: str) -> str | None:
    """The name line alone (for the class table); the deck also fills the continuation line."""
    cut = swift_cut(name)
    return cut[0] if cut else None


def _pick_word(
    rng: random.Random, name: str, keep: Callable[[str], bool]
) -> tuple[list[str], int] | None:
    """The name's words and the index of one that `keep` accepts, drawn at random (None when
    no word qualifies: the class does not apply to this name)."""
    words = _words(name)
    candidates = [i for i, w in enumerate(words) if keep(w)]
    if not candidates:
        return None
    return words, rng.choice(candidates)


def _replace_word(
    rng: random.Random, name: str, keep: Callable[[str], bool], replace: Callable[[str], str]
) -> str | None:
    """The name with one word that `keep` accepts, drawn at random, replaced by
    `replace(word)`."""
    found = _pick_word(rng, name, keep)
    if found is None:
        return None
    words, i = found
    words[i] = replace(words[i])
    return " ".join(words)


def _letter_word(rng: random.Random, name: str, minimum: int) -> tuple[list[str], int] | None:
    return _pick_word(rng, name, lambda word: word.isalpha() and len(word) >= minimum)


def transposition(rng: random.Random, name: str) -> str | None:
    """Two adjacent letters swapped inside a word (never the first letter)."""
    found = _letter_word(rng, name, 4)
    if found is None:
        return None
    words, i = found
    word = words[i]
    options = [k for k in range(1, len(word) - 1) if word[k] != word[k + 1]]
    if not options:
        return None
    k = rng.choice(options)
    words[i] = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    return " ".join(words)


def _edit_letter(
    rng: random.Random, name: str, minimum: int, edit: Callable[[str, int], str]
) -> str | None:
    """`edit(word, k)` at a random position k >= 1 of a random word of `minimum`+ letters."""
    return _replace_word(
        rng,
        name,
        lambda word: word.isalpha() and len(word) >= minimum,
        lambda word: edit(word, rng.randrange(1, len(word))),
    )


def deletion(rng: random.Random, name: str) -> str | None:
    """One letter dropped from a word of five letters or more (never the first)."""
    return _edit_letter(rng, name, 5, lambda word, k: word[:k] + word[k + 1 :])


def insertion(rng: random.Random, name: str) -> str | None:
    """One extra letter typed inside a word of four letters or more."""

    def insert(word: str, k: int) -> str:
        letter = rng.choice("aeiouhnrst")
        return word[:k] + (letter.upper() if word.isupper() else letter) + word[k:]

    return _edit_letter(rng, name, 4, insert)


def duplication(rng: random.Random, name: str) -> str | None:
    """One letter doubled inside a word of four letters or more (MELLAT -> MELLLAT)."""
    return _edit_letter(rng, name, 4, lambda word, k: word[:k] + word[k] + word[k:])


def word_order(rng: random.Random, name: str) -> str | None:
    """The last word moved to the front (BANK MELLAT <-> MELLAT BANK; Ali HASSAN -> HASSAN Ali)."""
    words = [w for w in _words(name) if w]
    if len(words) < 2:
        return None
    return " ".join([words[-1], *words[:-1]])


def legal_form(rng: random.Random, name: str) -> str | None:
    """A trailing legal form dropped when the name has one, else one added."""
    words = [w for w in _words(name) if w]
    if len(words) >= 2 and words[-1].upper().strip(",") in LEGAL_FORMS:
        return " ".join(words[:-1]).rstrip(",")
    return f"{name} {rng.choice(ADDED_FORMS)}"


TEXT_CLASSES: dict[str, Manipulation] = {
    "exact": lambda rng, name: name,
    "cyrillic-lookalike": cyrillic_lookalikes,
    "greek-lookalike": greek_lookalikes,
    "zero-width": zero_width,
    "soft-hyphen": soft_hyphen,
    "bidi-control": bidi_control,
    "hyphen-injected": hyphen_injected,
    "space-injected": space_injected,
    "spaced-letters": spaced_letters,
    "abbreviation": abbreviation,
    "bank-word": bank_word,
    "transposition": transposition,
    "deletion": deletion,
    "insertion": insertion,
    "duplication": duplication,
    "word-order": word_order,
    "legal-form": legal_form,
}
"""Name manipulations placed where the entry's name normally sits (party or agent name)."""
