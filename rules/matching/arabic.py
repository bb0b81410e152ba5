"""Arabic and Persian script to Latin letters, for names given in the original script.

Generic transliterators (normality/ICU) spell every letter and drop nothing: "مصرف آشور الدولي"
becomes "msrf ashwr aldwly", which matches no English list name. This scheme instead
  - translates institution words through a small lexicon (مصرف/بنك -> bank, الإسلامي -> islamic,
    للاستثمار -> investment, ...), because lists carry the English translation, not a
    transliteration, of those words;
  - drops the definite article ال and the clitics و (and), ل/لل (for), ب (by) before a lexicon
    word;
  - transliterates proper names letter by letter with the spellings Western lists use
    (ش -> sh, خ -> kh, initial ع -> a, و/ي as u/i between consonants, w/y elsewhere).
Short vowels are not written in Arabic, so a transliterated proper name ("ktaib") is compared
with list names through its consonant skeleton as well (see normalize.skeleton).
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

_ARABIC_CHARS: Final = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Harakat, shadda, sukun, superscript alef, tatweel: pronunciation marks, not letters.
_MARKS: Final = re.compile(r"[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")

# Letter forms that spell the same sound: hamza seats, Persian/Urdu letters, alef maqsura.
_FOLD: Final = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ک": "ك",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ہ": "ه",
        "ە": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
    }
)

_CONSONANTS: Final = MappingProxyType(
    {
        "ب": "b",
        "ت": "t",
        "ث": "th",
        "ج": "j",
        "ح": "h",
        "خ": "kh",
        "د": "d",
        "ذ": "dh",
        "ر": "r",
        "ز": "z",
        "س": "s",
        "ش": "sh",
        "ص": "s",
        "ض": "d",
        "ط": "t",
        "ظ": "z",
        "ع": "",
        "غ": "gh",
        "ف": "f",
        "ق": "q",
        "ك": "k",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "ه": "h",
        "ء": "",
        "پ": "p",
        "چ": "ch",
        "ژ": "zh",
        "گ": "g",
        "ڤ": "v",
    }
)
_VOWEL_LETTERS: Final = frozenset("اويىئة")

# Institution and movement words, in folded spelling without the article. Lists translate
# these words, so a translation (not a transliteration) is what matches.
LEXICON: Final = MappingProxyType(
    {
        "مصرف": "bank",
        "بنك": "bank",
        "بانك": "bank",
        "مصارف": "bank",
        "اسلامي": "islamic",
        "اسلاميه": "islamic",
        "استثمار": "investment",
        "استثماري": "investment",
        "استثمارات": "investment",
        "تمويل": "finance",
        "مالي": "finance",
        "ماليه": "finance",
        "دولي": "international",
        "دوليه": "international",
        "عراق": "iraq",
        "عراقي": "iraq",
        "عراقيه": "iraq",
        "ايران": "iran",
        "ايراني": "iran",
        "تجاري": "commercial",
        "تجاريه": "commercial",
        "تجاره": "trading",
        "شركه": "company",
        "شركت": "company",
        "تنميه": "development",
        "متحد": "united",
        "متحده": "united",
        "اتحاد": "union",
        "عربي": "arabia",
        "عربيه": "arabia",
        "عرب": "arabia",
        "جنوب": "janoob",
        "شرق": "sharq",
        "اوسط": "awsat",
        "مشرق": "mashreq",
        "عالم": "world",
        "عالمي": "world",
        "وطني": "national",
        "اهلي": "national",
        "دفع": "payment",
        "الكتروني": "electronic",
        "صيرفه": "exchange",
        "تحويل": "transfer",
        "كتائب": "kataib",
        "كتيبه": "kataib",
        "حركه": "harakat",
        "حزب": "hizb",
        "الله": "allah",
        "ملي": "melli",
    }
)

_ARTICLE_PREFIXES: Final = ("وال", "بال", "فال", "كال", "لل", "ال")
_CLITICS: Final = ("و", "ل", "ب")


def has_arabic(text: str) -> bool:
    """Whether any character is Arabic-script (Arabic, Persian, Urdu, Kurdish Sorani)."""
    return _ARABIC_CHARS.search(text) is not None


def transliterate(text: str) -> list[tuple[str, bool]]:
    """Latin words for an Arabic-script text: (word, is_transliterated proper name).

    Lexicon words come back translated with False, proper names transliterated with True (only
    those need skeleton comparison). Non-Arabic words pass through unchanged with False.
    """
    text = _MARKS.sub("", text.translate(_FOLD))
    words: list[tuple[str, bool]] = []
    for word in text.split():
        if not has_arabic(word):
            words.append((word, False))
            continue
        translated = _translate(word)
        if translated is not None:
            words.append((translated, False))
        else:
            words.append((_spell(_strip_article(word)), True))
    return words


def _normal_form(word: str) -> str:
    # Ta marbuta and final ha spell the same ending; alef maqsura is a final ya.
    return word.replace("ة", "ه").replace("ى", "ي")


def _translate(word: str) -> str | None:
    if word in ("الله", "لله"):
        return "allah"
    for candidate in _lexicon_forms(word):
        found = LEXICON.get(_normal_form(candidate))
        if found is not None:
            return found
    return None


def _lexicon_forms(word: str) -> list[str]:
    """The word, without its article, and without a clitic before the article or the word."""
    forms = [word, _strip_article(word)]
    for clitic in _CLITICS:
        if word.startswith(clitic) and len(word) > len(clitic) + 2:
            rest = word[len(clitic) :]
            forms += [rest, _strip_article(rest)]
    return forms


def _strip_article(word: str) -> str:
    for prefix in _ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix) :]
    return word


def _spell(word: str) -> str:
    """Letter-by-letter Latin spelling of one proper name, as Western lists tend to spell it."""
    out: list[str] = []
    last = len(word) - 1
    for i, char in enumerate(word):
        prev = word[i - 1] if i > 0 else ""
        nxt = word[i + 1] if i < last else ""
        out.append(_letter(char, prev, nxt, i == 0, i == last))
    return "".join(out)


def _letter(char: str, prev: str, nxt: str, first: bool, final: bool) -> str:
    if char == "ع":
        # Initial ayn is written as its vowel (Ali, Asa'ib, Abbas); elsewhere it is silent.
        return "a" if first and nxt != "ا" else ""
    if char in _CONSONANTS:
        return _CONSONANTS[char]
    if char == "ا":
        return "a"
    if char in "ىة":
        return "a"
    if char == "ئ":
        return "i"
    if char == "و":
        return "w" if first or nxt in _VOWEL_LETTERS or prev == "ا" else "u"
    if char == "ي":
        return "y" if first or (nxt in _VOWEL_LETTERS and not final) else "i"
    return char
