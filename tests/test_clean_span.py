"""The article span (corpus/clean_span.py, issue 20): where the article starts and ends in a
document's lines, on documents of the junk kinds that reach a corpus from sites it never saw.

The documents are written for these tests (no publisher's text): whole pages copied from a
browser as plain text, a one-line scrape with a sign-off and a tag list after a run of spaces,
reader comments and an appended summary after the end, bylines of several shapes, links to the
original article, widget labels, breadcrumbs, captions and credits."""

from __future__ import annotations

import pytest

from corpus.clean.cleaner import Cleaner
from corpus.clean.config import CleanConfig
from corpus.clean.prose import furniture, jt_classes
from corpus.clean.span import Piece, article_span
from corpus.segment.sentences import split_sentences

ARTICLE = [
    "KARAWANG, CONTOH.id - Harga beras medium di pasar induk Karawang naik menjadi Rp 14.000 "
    "per kilogram pada pekan ini karena pasokan dari petani berkurang setelah panen raya.",
    "Para pedagang mengatakan kenaikan itu sudah terasa sejak awal bulan dan mereka berharap "
    "pemerintah segera menggelar operasi pasar agar harga kembali turun.",
    "“Kami hanya bisa menunggu. Pembeli juga mulai mengurangi belanja,” kata Sutarmi, pedagang "
    "beras yang sudah berjualan di pasar itu selama dua puluh tahun.",
    "Kepala dinas perdagangan setempat menyebut stok di gudang masih cukup untuk tiga bulan, "
    "sehingga warga tidak perlu membeli beras secara berlebihan.",
    "Ia menambahkan bahwa operasi pasar akan digelar di sepuluh kecamatan mulai Senin depan.",
]
KEEP = [
    "Para pedagang mengatakan kenaikan itu sudah terasa sejak awal bulan dan mereka berharap "
    "pemerintah segera menggelar operasi pasar agar harga kembali turun.",
    "“Kami hanya bisa menunggu.",
    "Pembeli juga mulai mengurangi belanja,” kata Sutarmi, pedagang beras yang sudah berjualan "
    "di pasar itu selama dua puluh tahun.",
    "Ia menambahkan bahwa operasi pasar akan digelar di sepuluh kecamatan mulai Senin depan.",
]

BROWSER_COPY = "\n".join(
    [
        "Masuk",
        "Daftar",
        "Beranda",
        "Ekonomi",
        "Nasional",
        "Olahraga",
        "Gaya Hidup",
        "Beranda > Ekonomi > Pangan",
        "Harga Beras di Karawang Naik Lagi Jelang Akhir Bulan",
        "Oleh: Rina Astuti",
        "Senin, 12 Februari 2024 10:15 WIB",
        "Perbesar",
        "Petani memanen padi di sawah (Contoh/Dewi Lestari)",
        ARTICLE[0],
        ARTICLE[1],
        "Baca juga: Stok Beras Aman Hingga Lebaran",
        ARTICLE[2],
        "Perbesar",
        ARTICLE[3],
        ARTICLE[4],
        "Editor : Budi Santoso",
        "Tag: beras, harga pangan, Karawang",
        "Berita Terkait",
        "Petani Karawang Mulai Tanam Padi Varietas Baru",
        "Para petani di utara Karawang mulai menanam varietas baru yang tahan wereng dan kekeringan.",
        "2 jam lalu",
        "Gudang Bulog di Cikampek Ditambah Dua Unit",
        "Pemerintah menambah dua gudang baru agar stok bisa disimpan lebih lama di daerah.",
        "5 jam lalu",
        "Komentar",
        "Andi Wijaya",
        "Harga beras di kampung saya juga sudah naik sejak bulan lalu, semoga cepat turun lagi.",
        "Balas",
        "Tentang Kami",
        "Pedoman Media Siber",
        "© 2024 Contoh Media. Hak cipta dilindungi undang-undang.",
    ]
)
BROWSER_JUNK = [
    "Beranda > Ekonomi",
    "Oleh: Rina Astuti",
    "Perbesar",
    "Dewi Lestari",
    "Stok Beras Aman Hingga Lebaran",
    "Budi Santoso",
    "harga pangan",
    "Varietas Baru",
    "tahan wereng",
    "gudang baru",
    "semoga cepat turun",
    "Pedoman Media Siber",
    "Hak cipta",
]

SCRAPE = (
    " ".join(ARTICLE)
    + " (ant/bsw)     Tag: beras, Bulog, inflasi, harga pangan     Bagikan: Facebook | X"
)

SIGNED_OFF = "\n\n".join(
    [
        *ARTICLE,
        "(gr) Editor : Bayu Pratama (bayu.pratama@contoh.id)",
        "Sumber : Contoh Daily",
        'Artikel ini telah tayang di Contoh.id dengan judul "Harga Beras di Karawang Naik"',
        "Tautan Artikel Asli:",
        "https://www.contoh.id/ekonomi/harga-beras-di-karawang-naik",
        "Ringkasan",
        "Harga beras di Karawang naik karena pasokan berkurang. Operasi pasar digelar pekan depan.",
    ]
)
SIGNED_OFF_JUNK = [
    "Bayu Pratama",
    "bayu.pratama@contoh.id",
    "Contoh Daily",
    "telah tayang",
    "Tautan Artikel Asli",
    "https://www.contoh.id",
    "Operasi pasar digelar pekan depan.",
]

CMS_FIELD = (
    "<html><body><p style='font-family:\"Century gothic\";color:rgb(33, 37, 41);'>"
    "<strong>CONTOH</strong>&nbsp;memuat berita mengenai harga beras.&nbsp;</p>"
    '<p><span style="color:rgb(25,25,25);">' + ARTICLE[0] + "</span></p>"
    "<p>" + ARTICLE[1] + "<br><br>&acirc;&#128;&#156;Kami hanya bisa menunggu. Pembeli juga "
    "mulai mengurangi belanja,&acirc;&#128;&#157; kata Sutarmi, pedagang beras yang sudah "
    "berjualan di pasar itu selama dua puluh tahun.</p><p>"
    + ARTICLE[3]
    + "&nbsp;"
    + ARTICLE[4]
    + "</p><p>Artikel Lengkap: <a href='https://contoh.id/a/1'>https://contoh.id/a/1</a></p>"
    "<p>Author: R S</p></body></html>"
)
CMS_JUNK = ["memuat berita", "Artikel Lengkap", "https://contoh.id", "Author", "<", "&", "â"]

DOCUMENTS = [
    ("browser-copy-of-a-whole-page", BROWSER_COPY, KEEP, BROWSER_JUNK),
    (
        "scrape-sign-off-then-tags-after-spaces",
        SCRAPE,
        KEEP,
        ["ant/bsw", "Tag:", "Bulog", "Bagikan"],
    ),
    ("sign-off-source-link-and-summary", SIGNED_OFF, KEEP, SIGNED_OFF_JUNK),
]


def sentences(text: str) -> list[str]:
    return split_sentences(Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text).text)


@pytest.mark.parametrize(
    ("text", "keep", "junk"), [d[1:] for d in DOCUMENTS], ids=[d[0] for d in DOCUMENTS]
)
def test_article_kept_and_page_junk_dropped(text: str, keep: list[str], junk: list[str]) -> None:
    out = sentences(text)
    for sentence in keep:
        assert any(sentence in s and len(s) - len(sentence) <= 40 for s in out), sentence
    leaked = [j for j in junk if any(j in s for s in out)]
    assert not leaked, (leaked, out)


def test_html_in_a_text_field_is_markup_not_words(tmp_path: object) -> None:
    """A CMS field holding HTML with inline styles and double-encoded entities is read through
    the HTML path: no tag, style or entity reaches a sentence, the quotes are repaired."""
    from pathlib import Path

    from corpus.read.config import ReadConfig
    from corpus.read.inputs import iter_documents
    from corpus.report import Report

    path = Path(str(tmp_path)) / "field.txt"
    path.write_text(CMS_FIELD, encoding="utf-8")
    docs = list(iter_documents([str(path)], ReadConfig(), Report()))
    out = sentences(docs[0].text)
    for sentence in KEEP:
        assert any(sentence in s and len(s) - len(sentence) <= 40 for s in out), sentence
    leaked = [j for j in CMS_JUNK if any(j in s for s in out)]
    assert not leaked, (leaked, out)


def test_the_headline_before_the_article_is_kept() -> None:
    text = BROWSER_COPY
    out = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text)
    assert out.text.startswith("Harga Beras di Karawang Naik Lagi Jelang Akhir Bulan\n")


@pytest.mark.parametrize(
    "text",
    [
        "\n\n".join(ARTICLE[1:]),
        "Harga Beras Naik\n\n" + "\n\n".join(ARTICLE[1:]),
        "dan ini musim hujan\n\nsaya demam kemarin\n\nKapan kamu datang?\n\nBaksonya enak sekali",
        "Eropa Memastikan Kemenangan di Paris\n\n" + ARTICLE[1] + "\n\nKata dia singkat.",
    ],
    ids=["article", "headline-and-article", "dialogue-fragments", "headline-and-short-lines"],
)
def test_text_without_page_furniture_is_left_whole(text: str) -> None:
    """No span is decided without evidence of a page (lines the rules know as its frame):
    clean reference text loses nothing, not even its headlines or fragments."""
    result = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text)
    assert result.dropped == ()
    assert result.text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Perbesar", True),
        ("Beranda > Ekonomi > Pangan", True),
        ("Petani Karawang Mulai Tanam Padi Varietas Baru", True),
        ("Rezvani Beast Alpha: Pintunya Merupakan yang Terbaik.", True),  # a headline with a stop
        ("Pada akhir Februari ini band itu akan melepas album pertama mereka…", True),  # teaser
        ("https://www.contoh.id/ekonomi/1", True),
        ("Total count of Like 0", True),
        ("Nomor telegram aktif.", False),  # a short sentence
        ("dan saya rasa saya juga sedikit demam", False),  # the rest of a sentence
        (ARTICLE[1], False),
        ("“Kami hanya bisa menunggu,” kata dia.", False),
    ],
)
def test_furniture_shapes(text: str, expected: bool) -> None:
    assert furniture(text, jt_classes([text])[0]) is expected


def test_span_is_the_densest_run_and_ends_at_a_sign_off() -> None:
    body = [Piece(p) for p in ARTICLE]
    menu = [Piece("", "navigation")] * 4
    teasers = [Piece("Gudang Baru di Cikampek Ditambah"), Piece(ARTICLE[4]), Piece("2 jam lalu")]
    pieces = [*menu, *body, Piece("", "byline"), *teasers * 3, *menu]
    start, end, islands, stray = article_span(pieces)
    assert (start, end) == (4, 4 + len(ARTICLE)) and not islands and not stray


def test_a_second_part_of_the_article_after_a_large_ad_block_is_kept() -> None:
    body = [Piece(p) for p in ARTICLE]
    ads = [Piece("", "promo")] * 3 + [Piece("", "navigation")] * 20
    start, end, islands, _ = article_span([*body, *ads, *body])
    assert (start, end) == (0, len(ARTICLE))
    assert islands == set(range(len(ARTICLE) + len(ads), 2 * len(ARTICLE) + len(ads)))


def test_a_dateline_starts_the_article() -> None:
    intro = Piece("Situs ini memuat ulang berita mengenai harga beras di Karawang.")
    start, *_ = article_span([intro, Piece(ARTICLE[0], dateline=True), *map(Piece, ARTICLE[1:])])
    assert start == 1


def test_a_label_among_furniture_goes_a_heading_before_text_stays() -> None:
    pieces = [
        *map(Piece, ARTICLE[:2]),
        Piece("Perbesar"),
        Piece("", "credit"),
        Piece(ARTICLE[2]),
        Piece("Operasi Pasar"),
        *map(Piece, ARTICLE[3:]),
        *[Piece("", "navigation")] * 3,
    ]
    *_, stray = article_span(pieces)
    assert stray == {2}
