"""corpus/signals/doclang.py: a sentence's Indonesian/Malay decision with its document's
evidence; strong sentence evidence still wins, and results depend on the document only."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from corpus.pipeline.pairs import rows_of
from corpus.pipeline.prepare import PrepareOptions
from corpus.pipeline.tasks import PrepItem, prepare_task
from corpus.records import Document
from corpus.report import Report
from corpus.signals import doclang
from corpus.signals.quality import (
    compute_signals_batch,
    identify_batch,
    identify_documents,
    language_identifier,
)
from translate.base import Translation

FLORES = Path(__file__).parent / "fixtures" / "flores_devtest"
MALAY_DOC = [  # telling words: kerana, pejabat, bahawa, baharu, syarikat
    "Kerajaan akan mengumumkan belanjawan baharu pada bulan hadapan.",
    "Saya tidak boleh datang ke pejabat hari ini kerana anak saya sakit.",
    "Beliau berkata bahawa projek itu akan siap sebelum hujung tahun.",
    "Dia bekerja sebagai jurutera di sebuah syarikat minyak di Kuala Lumpur.",
]
MALAY_UNMARKED = "Harga rumah di Lembah Klang terlalu mahal bagi anak muda."
"""No telling word: Indonesian on its own (tests/test_signals.py MALAY_UNMARKED)."""
INDONESIAN_DOC = [
    "Pemerintah akan mengumumkan anggaran baru bulan depan.",
    "Saya tidak bisa datang ke kantor hari ini karena anak saya sakit.",
    "Polisi sedang menyelidiki kecelakaan lalu lintas yang terjadi kemarin.",
    "Harga bahan bakar minyak diperkirakan naik lagi minggu depan.",
]
JAVANESE_QUOTE = "Aku ora ngerti apa sing kudu tak lakoni saiki, jarene bapakku mau esuk."
SURE_INDONESIAN = (
    "Menurut Bupati, kantor kecamatan itu tidak bisa melayani warga karena gedungnya rusak."
)


def flores_lines(name: str, n: int) -> list[str]:
    return (FLORES / name).read_text(encoding="utf-8").splitlines()[:n]


def test_the_model_has_a_document_context() -> None:
    context = language_identifier().context
    assert context is not None and 0 < context.switch < 0.5 and context.weight > 0


def test_a_malay_sentence_without_a_telling_word_follows_its_document() -> None:
    assert identify_batch([MALAY_UNMARKED])[0][0] == "id"  # alone: no evidence either way
    found = identify_documents([[*MALAY_DOC[:2], MALAY_UNMARKED, *MALAY_DOC[2:]]])[0]
    assert [lang for lang, _ in found] == ["ms"] * 5


def test_an_indonesian_document_stays_indonesian() -> None:
    found = identify_documents([[*INDONESIAN_DOC, MALAY_UNMARKED]])[0]
    assert [lang for lang, _ in found] == ["id"] * 5
    assert min(conf for _, conf in found) >= identify_batch([MALAY_UNMARKED])[0][1]


def test_strong_sentence_evidence_wins_over_the_document() -> None:
    """A Javanese quote in an Indonesian article stays Javanese (only the id/ms split moves);
    a sentence sure of being Indonesian on its own stays Indonesian in a Malay document."""
    article = identify_documents([[*INDONESIAN_DOC[:2], JAVANESE_QUOTE, *INDONESIAN_DOC[2:]]])[0]
    assert article[2] == identify_batch([JAVANESE_QUOTE])[0] and article[2][0] == "jv"
    assert identify_batch([SURE_INDONESIAN])[0][0] == "id"
    odds = language_identifier().scores_batch([SURE_INDONESIAN]).odds[0]
    assert odds < -math.log(99)  # surer of Indonesian than a document can move (99:1)
    reprint = identify_documents([[*MALAY_DOC, SURE_INDONESIAN]])[0]
    assert reprint[-1][0] == "id"
    assert [lang for lang, _ in reprint[:-1]] == ["ms"] * 4


def test_a_document_moves_the_odds_by_at_most_the_switch_bound() -> None:
    switch = 0.01
    pooled = np.array([-1e6, -50.0, -1.0, 0.0, 1.0, 50.0, 1e6])
    shift = doclang.prior_shift(pooled, switch)
    bound = math.log((1 - switch) / switch)
    assert shift[3] == 0.0  # exactly: a sentence alone keeps its sentence-level result
    assert np.all(np.abs(shift) <= bound + 1e-9) and np.all(np.diff(shift) >= 0)
    assert shift[-1] == pytest.approx(bound) and shift[0] == pytest.approx(-bound)


def test_a_sentence_alone_gets_the_sentence_level_result_exactly() -> None:
    texts = [*flores_lines("ind_Latn.txt", 40), *MALAY_DOC, MALAY_UNMARKED, "", "123"]
    alone = identify_documents([[t] for t in texts])
    assert [doc[0] for doc in alone] == identify_batch(texts)


def test_results_depend_on_the_document_only() -> None:
    """The same document alone, first or last among others: the same results, exactly."""
    doc = [*MALAY_DOC, MALAY_UNMARKED]
    others = [flores_lines("ind_Latn.txt", 30)[i : i + 5] for i in range(0, 30, 5)]
    alone = identify_documents([doc])[0]
    assert identify_documents([doc, *others])[0] == alone
    assert identify_documents([*others, [], doc])[-1] == alone
    assert identify_documents([*others, doc, *others])[len(others)] == alone


def test_evidence_is_taken_from_a_window_of_sentences() -> None:
    """A sentence takes in at most `WINDOW` sentences on either side (English ones bring no
    id/ms evidence): past that, the telling Malay sentences no longer count."""
    english = flores_lines("eng_Latn.txt", doclang.WINDOW)
    within = identify_documents([[*MALAY_DOC, *english[:-4], MALAY_UNMARKED]])[0]
    beyond = identify_documents([[*MALAY_DOC, *english, MALAY_UNMARKED]])[0]
    alone = identify_batch([MALAY_UNMARKED])[0]
    assert within[-1][0] == "ms"
    assert beyond[-1][0] == alone[0] and beyond[-1][1] == pytest.approx(alone[1], abs=1e-3)


def test_no_documents_and_empty_documents() -> None:
    assert identify_documents([]) == []
    assert identify_documents([[], []]) == [[], []]
    found = identify_documents([[], [MALAY_UNMARKED], []])
    assert found == [[], identify_batch([MALAY_UNMARKED]), []]


def test_starts_must_describe_documents() -> None:
    with pytest.raises(ValueError, match="starts"):
        doclang.identify_documents(language_identifier(), ["a b c", "d e f"], [1])


def test_prepare_task_identifies_sources_with_their_document() -> None:
    """A build gives each unit its language with its document part; presplit lines alone."""
    text = " ".join([*MALAY_DOC, MALAY_UNMARKED])
    items = [PrepItem(Document("d", text, "d.txt"), True, Report())]
    units = prepare_task((items, PrepareOptions(identify=True), None)).units
    assert [u.src_lang for u in units] == ["ms"] * 5
    lines = "\n".join([*MALAY_DOC, MALAY_UNMARKED])
    items = [PrepItem(Document("p", lines, "p.txt"), True, Report())]
    units = prepare_task((items, PrepareOptions(presplit=True, identify=True), None)).units
    assert [(u.src_lang, u.src_lang_conf) for u in units] == identify_batch(lines.split("\n"))
    plain = prepare_task((items, PrepareOptions(presplit=True), None)).units
    assert all(u.src_lang is None for u in plain)


def test_rows_take_the_language_their_unit_carries() -> None:
    """A build's rows: src_lang as identified with the document; targets identified here."""
    text = " ".join([*MALAY_DOC, MALAY_UNMARKED])
    items = [PrepItem(Document("d", text, "d.txt"), True, Report())]
    units = prepare_task((items, PrepareOptions(identify=True), None)).units
    translations = [Translation("The price of houses is too high.", -0.5) for _ in units]
    rows, _ = rows_of(units, translations, signals=True, presplit=False)
    assert [r["src_lang"] for r in rows] == ["ms"] * 5
    assert rows[-1]["is_non_indonesian_source"] is (rows[-1]["src_lang_conf"] >= 0.75)
    plain, _ = rows_of([u._replace(src_lang=None) for u in units], translations,
                       signals=True, presplit=False)  # fmt: skip
    assert plain[-1]["src_lang"] == "id"  # alone
    with pytest.raises(ValueError, match="one translation"):
        compute_signals_batch(["a b c"], translations[:1], src_langs=[])
