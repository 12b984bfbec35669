"""Do the numbers, dates, URLs and e-mail addresses of a source agree with its translation?

`number_check(source, target)` finds, on each side, the *required* items (numbers written
in digits, day/month dates, URLs, e-mail addresses) and counts those the other side does not
have. Formats differ between the sides and are read tolerantly:

- a number may be written the Indonesian way (`1.500.000`, `1,5`) or the English way
  (`1,500,000`, `1.5`) on either side: each reading is a candidate value;
- a scale word multiplies it: `1,5 juta` = `1.5 million` = `1,500,000`, `Rp1,5 triliun`
  = `IDR 1.5 trillion` (ribu/thousand, juta/million, miliar/billion, triliun/trillion);
- a time `9.30` = `9:30` (the value 9.3), `pukul 20.00` = `8 p.m.`;
- a month name counts as its number next to a day or year, so `Senin (13/5)` = `Monday
  (May 13)` and `13 Mei 2024` = `May 13, 2024`;
- numbers written as words (`dua belas`, `twelve`, `tiga puluh`, `thirty-five`) may stand
  for a number in digits on the other side, but are never required themselves ("salah
  satu" is "one of", not a quantity).

The values are compared as sets (a number said twice on one side and once on the other
agrees). `NUMBER_DOCS` describes the two signal columns.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

NUMBERS_VERSION = "numbers-1"

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_NUMBER = re.compile(r"(?<![\d.,:])\d+(?::\d{2}(?!\d)|(?:[.,]\d+)*)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?(?![\d/])")
_PM = re.compile(r"\s*(?:p\.?\s?m\b|malam\b|sore\b)", re.IGNORECASE)

SCALES = {
    "ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6, "miliar": 1e9, "milyar": 1e9,
    "triliun": 1e12, "thousand": 1e3, "million": 1e6, "mln": 1e6, "billion": 1e9,
    "bn": 1e9, "trillion": 1e12, "tn": 1e12, "puluh": 10, "ratus": 100, "hundred": 100,
}  # fmt: skip

MONTHS = {
    **{m: i for i, m in enumerate(("januari", "februari", "maret", "april", "mei", "juni",
        "juli", "agustus", "september", "oktober", "november", "desember"), 1)},
    **{m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december"), 1)},
    **{m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu",
        "sep", "okt", "nov", "des"), 1)},
    "aug": 8, "oct": 10, "dec": 12, "sept": 9, "agt": 8, "ags": 8,
}  # fmt: skip

_UNITS_ID = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
             "tujuh": 7, "delapan": 8, "sembilan": 9}  # fmt: skip
_SE_ID = {"sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000, "sejuta": 1e6,
          "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4, "kelima": 5, "keenam": 6,
          "ketujuh": 7, "kedelapan": 8, "kesembilan": 9, "kesepuluh": 10}  # fmt: skip
_MULT_ID = {"belas": None, "puluh": 10, "ratus": 100, "ribu": 1e3, "juta": 1e6}
_EN_WORDS = {
    **{w: i for i, w in enumerate(("zero", "one", "two", "three", "four", "five", "six",
        "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
        "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"))},
    **{w: 10 * i for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty",
        "seventy", "eighty", "ninety"), 2)},
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "dozen": 12, "hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9,
}  # fmt: skip


@dataclass(frozen=True)
class Item:
    """One required thing on one side: its text and every value it may stand for."""

    text: str
    keys: frozenset[str]


def number_check(source: str, target: str) -> tuple[int, int]:
    """(required items of both sides that the other side lacks, required items in all)."""
    if not _worth_checking(source) and not _worth_checking(target):
        return 0, 0
    src_items, src_pool = side(source)
    tgt_items, tgt_pool = side(target)
    missing = sum(1 for item in src_items if not item.keys & tgt_pool)
    missing += sum(1 for item in tgt_items if not item.keys & src_pool)
    return missing, len(src_items) + len(tgt_items)


def _worth_checking(text: str) -> bool:
    return any(ch.isdigit() for ch in text) or "@" in text or "www." in text.lower()


def side(text: str) -> tuple[list[Item], frozenset[str]]:
    """The required items of one side, and every key the side offers (theirs, plus the
    values of numbers written as words)."""
    text = html.unescape(text) if "&" in text else text
    items = [Item(u, frozenset({"url:" + u})) for u in urls(text)]
    items += [Item(e, frozenset({"mail:" + e})) for e in emails(text)]
    scrubbed = _EMAIL.sub(" ", _URL.sub(" ", text))
    items += numbers(scrubbed)
    pool = {k for item in items for k in item.keys}
    pool.update(_value_key(v) for v in (*word_numbers(scrubbed), *months(scrubbed)))
    return items, frozenset(pool)


def urls(text: str) -> list[str]:
    found = (m.group().rstrip(".,;:!?").casefold() for m in _URL.finditer(text))
    return [re.sub(r"^https?://", "", u).removeprefix("www.").rstrip("/") for u in found]


def emails(text: str) -> list[str]:
    return [m.group().casefold() for m in _EMAIL.finditer(text)]


def numbers(text: str) -> list[Item]:
    """Numbers in digits (with their scale word, and a.m./p.m.), dates (day/month[/year])
    and the month names next to a number."""
    items: list[Item] = []
    dated: set[int] = set()
    for m in _DATE.finditer(text):
        day, month, year = m.group(1), m.group(2), m.group(3)
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            items += [_plain(day), _plain(month)] + ([_year(year)] if year else [])
            dated.update(range(m.start(), m.end()))
    for m in _NUMBER.finditer(text):
        if m.start() in dated:
            continue
        after = text[m.end() : m.end() + 14]
        values = readings(m.group())
        scale = _scale_after(after)
        if scale:
            values = {v * scale for v in values}
        century = re.search(
            r"(\d{2})\d{2}\s*[-\u2013]\s*$", text[max(0, m.start() - 8) : m.start()]
        )
        if century and len(m.group()) == 2:  # 2010-11
            values.add(float(century.group(1) + m.group()))
        if _PM.match(after):
            values |= {v + 12 for v in values if v < 12}
        items.append(Item(m.group(), frozenset(_value_key(v) for v in values)))
    return items


def readings(token: str) -> set[float]:
    """Every value a digit token may have: Indonesian style (`.` thousands, `,` decimal),
    English style (`,` thousands, `.` decimal), and a time `9.30` as 9.3."""
    if ":" in token:  # 9:30
        hours, _, minutes = token.partition(":")
        return {int(hours) + int(minutes) / 100}
    values: set[float] = set()
    for group, decimal in ((".", ","), (",", ".")):
        whole, _, frac = token.partition(decimal)
        parts = whole.split(group)
        if decimal in frac or group in frac:
            continue
        if len(parts) > 1 and not all(len(p) == 3 for p in parts[1:]):
            continue
        values.add(float("".join(parts) + ("." + frac if frac else "")))
    if not values:  # 1.2.3: a version or a list number; its digits must still agree
        values.add(float(re.sub(r"\D", "", token)))
    return values


def _scale_after(after: str) -> float | None:
    word = re.match(r"\s*-?\s*([^\W\d_]+)", after)
    return SCALES.get(word.group(1).lower()) if word else None


def _plain(digits: str) -> Item:
    return Item(digits, frozenset({_value_key(float(digits))}))


def _year(digits: str) -> Item:
    values = {float(digits)} | ({2000.0 + int(digits), 1900.0 + int(digits)} if len(digits) == 2 else set())  # fmt: skip
    return Item(digits, frozenset(_value_key(v) for v in values))


def months(text: str) -> list[float]:
    """The number of each capitalised month name: `Senin (13/5)` = `Monday (May 13)`."""
    return [
        float(MONTHS[m.group().lower()])
        for m in re.finditer(r"\b[A-Z][a-z]+", text)
        if m.group().lower() in MONTHS
    ]


def word_numbers(text: str) -> list[float]:
    """Numbers written as words (Indonesian or English), roughly: each may stand for a
    number in digits on the other side."""
    words = [w.lower() for w in _WORD.findall(text)]
    values: list[float] = []
    for i, word in enumerate(words):
        value = _word_value(word, words[i + 1] if i + 1 < len(words) else "")
        if value is None:
            continue
        values.append(value)
        rest = (
            words[i + 2 : i + 4]
            if word in _UNITS_ID and words[i + 1 : i + 2]
            else words[i + 1 : i + 3]
        )
        for nxt in rest[:1]:
            if nxt in SCALES:
                values.append(value * SCALES[nxt])
            elif nxt in _UNITS_ID and value % 10 == 0:  # dua puluh lima
                values.append(value + _UNITS_ID[nxt])
    return values


def _word_value(word: str, nxt: str) -> float | None:
    if word in _SE_ID:
        return _SE_ID[word]
    if word in _UNITS_ID:
        digit = _UNITS_ID[word]
        if nxt == "belas":
            return 10 + digit
        multiplier = _MULT_ID.get(nxt)
        return digit * multiplier if multiplier else digit
    if "-" in word:  # twenty-five
        tens, _, unit = word.partition("-")
        if tens in _EN_WORDS and unit in _EN_WORDS:
            return _EN_WORDS[tens] + _EN_WORDS[unit]
        return _EN_WORDS.get(tens)
    return _EN_WORDS.get(word)


def _value_key(value: float) -> str:
    return f"n:{value:.6g}"
