"""Cleaning: Unicode repair, boilerplate of Indonesian news sites, repeats, HTML input."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from corpus.clean.cleaner import (
    CLEANER_VERSION,
    Cleaner,
    fingerprints,
    line_fingerprint,
)
from corpus.clean.config import CleanConfig
from corpus.clean.repair import repair
from corpus.clean.repeats import RepeatTracker
from corpus.clean.result import CleanResult
from corpus.errors import ConfigError
from corpus.html.extract import html_to_text
from corpus.records import DroppedLine
from corpus.segment.sentences import segment

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SEED = next((ROOT / "seeds").glob("*.txt"))
ARTICLES = sorted((FIXTURES / "news_raw" / "articles").glob("*.txt"))

SEED_SENTENCES = [
    "China dan Kazakhstan Tingkatkan Kerja Sama",
    "Menteri Luar Negeri China Wang Yi bertemu dengan Menlu Kazakhstan Erlan Idrissov untuk memperkuat hubungan bilateral.",
    "Menurut Wang, China melihat Kazakhstan sebagai mitra strategis yang komprehensif dan negara- tetangga yang penting satu sama lain yang menikmati persahabatan tradisional.",
    "Wang melanjutkan Cina sangat menghargai hubungan dengan Kazakhstan dan konsisten menganggap Kazakhstan sebagai salah satu negara tetangga yang diprioritaskan dalam menjalin diplomasi antarkawasan.",
    "Dia jua menambahkan kedua negara harus menjaga komunikasi strategis, memperdalam koordinasi strategis, melindungi kepentingan strategis dalam upaya untuk lebih membangun komunitas China-Kazakhstan dengan persamaan nasib dan kepentingan.",
    "“China bersedia bekerja secara penuh dengan Kazakhstan untuk membawa hubungan komunikasi ke tingkat yang lebih tinggi tahun ini, dengan demikian akan tercipta hubungan bilateral yang sehat dan stabil,“ kata Wang.",
    'Kedua pihak akan melanjutkan upaya mereka untuk bergabung dalam inisiatif jalur ekonomi sutra China dengan kebijakan ekonomi baru Kazhakstan "Nurly Zhol".',
    "Kedua belah pihak juga akan meluncurkan kerja sama kelompok sedini mungkin, menyusun peta jalan untuk kerja sama, dan desain dan garis besar program kerja sama.",
    "Menlu China juga berharap kedua pihak menggabungkan kebutuhan Kazakhstan dan kemampuan China, memajukan kerja sama kapasitas industri sederajat, dasar saling menguntungkan dan sukarela untuk mewujudkan hubungan yang sama-sama menguntungkan.",
    "Kedua negara akan memperdalam kerja sama praktis mereka dalam bidang-bidang seperti konektivitas, pertanian, investasi, dan perbatasan daerah.",
    "Selain itu, kedua belah pihak akan memperluas pertukaran budaya, pendidikan dan wisata untuk memperkuat persahabatan antara kedua bangsa.",
    "Cina akan memberikan dukungan yang besar untuk upaya Kazakhstan untuk berhasil menjadi tuan rumah World Expo di Astana pada 2017.",
    "Selanjutnya kedua pihak akan memperkuat koordinasi dan kerja sama dengan kerangka seperti Organisasi Kerjasama Shanghai dan Konferensi Interaksi di Asia, dalam rangka untuk menjaga perdamaian, stabilitas dan pembangunan",
    "Idrissov mengatakan persahabatan Kazakhstan dan China merupakan hal yang tulus.",
    "Kazakhstan sangat menghargai dan puas dengan kerja sama industri yang bermanfaat bagi kedua negara.",
    'Selain itu, Kazakhstan siap untuk bekerja dengan China untuk bergabung dengan "Nurly Zhol" dan usulan Jalur ekonomi sutra, untuk memperluas kerjasama di bidang-bidang seperti kapasitas industri, infrastruktur, pertanian, transportasi dan perdagangan, dan untuk meningkatkan dan menjaga koordinasi pada urusan internasional dan regional.',
]

SEED_DROPPED = [
    ("Nyaman tanpa iklan. Langganan BisnisPro", "promo"),
    ("Menlu China Wang Yi/Reuters", "credit"),
    ("Kabar24.com, ASTANA -", "dateline"),
    ("Cek Berita dan Artikel yang lain di Google News dan WA Channel", "promo"),
    ("Sumber : Xinhua", "credit"),
    ("Konten Premium", "paywall"),
    (
        "Dapatkan informasi komprehensif di Bisnis.com yang diolah secara mendalam untuk menavigasi bisnis Anda. Silakan login untuk menikmati artikel Konten Premium.",
        "paywall",
    ),
    ("Artikel Terkait", "section_title"),
    ("Berita Lainnya", "section_title"),
    ("Berita Terbaru", "section_title"),
    ("Hot Topic", "section_title"),  # "# Hot Topic": the Markdown heading mark goes first
    ("Rekomendasi Kami", "section_title"),
    ("Foto", "navigation"),
    ("Scan QR Code Bisnis Indonesia e-paper", "promo"),
]

# What must never survive cleaning: boilerplate markers, scraper holes, mojibake.
LEFTOVERS = {
    "baca/lihat juga": re.compile(r"\b(Baca|Lihat|Simak) [Jj]uga\b"),
    "republished": re.compile(r"Artikel ini telah tayang"),
    "byline": re.compile(r"(?m)^(Penulis|Editor|Reporter)\s*:"),
    "call to action": re.compile(r"(^|[.!?]\s+)(Simak|Nantikan)\b"),
    "hashtag promo": re.compile(r"#\w"),
    "widget": re.compile(r"loading\.\.\."),
    "comma hole": re.compile(r",\s*,|\s,|\(\s*,?\s*\)"),
    "mojibake": re.compile("‚Ä|¬†|\u00a0"),
}
BOILERPLATE_SENTENCE = re.compile(
    r"\b(Baca|Lihat) [Jj]uga\b|^(Simak|Nantikan)\b|Artikel ini telah tayang|^Penulis\s*:|#Grow"
    r"|loading\.\.\."
)


BOILERPLATE_PARAGRAPH = re.compile(r"(Artikel ini telah tayang|(Baca|Lihat) [Jj]uga|Penulis\s*:)")


def squash(text: str) -> str:
    """Letters and digits only: compares text modulo repair, holes and whitespace."""
    return "".join(re.findall(r"[^\W_]+", text))


@pytest.fixture(scope="module")
def seed_result() -> CleanResult:
    return Cleaner().clean(SEED.read_text("utf-8"))


@pytest.fixture(scope="module")
def news_results() -> dict[str, CleanResult]:
    """All fixture articles through one Cleaner, in name order (as the pipeline would)."""
    cleaner = Cleaner()
    return {p.stem: cleaner.clean(p.read_text("utf-8")) for p in ARTICLES}


def test_seed_keeps_every_article_sentence_in_order(seed_result: CleanResult) -> None:
    sentences = [s.text for s in segment(seed_result.text)]
    assert sentences == SEED_SENTENCES


@pytest.mark.parametrize(("text", "reason"), SEED_DROPPED, ids=[r for _, r in SEED_DROPPED])
def test_seed_boilerplate_is_dropped_with_reason(
    seed_result: CleanResult, text: str, reason: str
) -> None:
    assert (text, reason) in {(d.text, d.reason) for d in seed_result.dropped}
    if reason != "dateline":
        assert text not in seed_result.text


def test_seed_promo_line_dropped_all_six_times(seed_result: CleanResult) -> None:
    promo = [d for d in seed_result.dropped if d.text.startswith("Nyaman tanpa iklan")]
    assert [d.line_no for d in promo] == [1, 49, 51, 55, 59, 63]  # the lines of the input
    assert "Nyaman" not in seed_result.text and "Langganan" not in seed_result.text


def test_seed_output_layout(seed_result: CleanResult) -> None:
    assert "\n\n" in seed_result.text and "\n\n\n" not in seed_result.text
    assert seed_result.text == seed_result.text.strip()
    assert seed_result.counts["promo"] == 8


def test_news_fixtures_present() -> None:
    assert len(ARTICLES) == 54


@pytest.mark.parametrize("name", [p.stem for p in ARTICLES])
def test_news_no_boilerplate_survives(news_results: dict[str, CleanResult], name: str) -> None:
    text = news_results[name].text
    assert text, "an article keeps its text"
    found = {k: m.group() for k, rx in LEFTOVERS.items() if (m := rx.search(text))}
    assert not found


@pytest.mark.parametrize("name", [p.stem for p in ARTICLES])
def test_news_no_article_sentence_lost(news_results: dict[str, CleanResult], name: str) -> None:
    original = repair((FIXTURES / "news_raw" / "articles" / f"{name}.txt").read_text("utf-8"))
    paragraphs = re.split(r"(?<=[.!?\"”)])\s*,+", original)  # the scraper's paragraph joins
    article = "\n\n".join(p for p in paragraphs if not BOILERPLATE_PARAGRAPH.match(p.strip()))
    cleaned = squash(news_results[name].text)
    lost = []
    for span in segment(article):
        sentence = re.sub(r"\s*\([a-z]{2,5}\)\s*$", "", span.text)  # reporter initials "(dta)"
        if not BOILERPLATE_SENTENCE.search(sentence) and squash(sentence) not in cleaned:
            lost.append(sentence)
    assert not lost


def test_news_every_drop_has_a_known_reason(news_results: dict[str, CleanResult]) -> None:
    reasons = {d.reason for r in news_results.values() for d in r.dropped}
    assert reasons <= {
        "dateline",
        "empty",
        "related_link",
        "byline",
        "republished",
        "credit",
        "call_to_action",
        "promo",
        "widget",
    }
    assert {"related_link", "byline", "republished", "call_to_action"} <= reasons


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("‚ÄúHalo,‚Äù katanya.", "“Halo,” katanya."),
        ("Harga¬†naik.", "Harga naik."),
        ("cafÃ© di Jakarta", "café di Jakarta"),
        ("Harga\u00a0naik\u202fhari ini.", "Harga naik hari ini."),
        ("Ka\u200bta\u200d\ufeffkan.", "Katakan."),
        ("Bel\x07 berbunyi\x1b.", "Bel berbunyi."),
        ("Cafe\u0301", "Café"),
        ("Baris satu.\r\nBaris dua.\rTiga.", "Baris satu.\nBaris dua.\nTiga."),
        ("  Banyak   spasi\tdi sini.  ", "Banyak spasi di sini."),
        ("A.\n\n\n\n\nB.", "A.\n\nB."),
        ("“Ya,” katanya. Dia—pergi…", "“Ya,” katanya. Dia—pergi…"),
    ],
    ids=[
        "empty",
        "mac-roman-quotes",
        "mac-roman-nbsp",
        "latin1-mojibake",
        "nbsp",
        "zero-width",
        "control",
        "nfc",
        "line-endings",
        "spaces",
        "blank-lines",
        "words-unchanged",
    ],
)
def test_repair(raw: str, expected: str) -> None:
    assert repair(raw) == expected
    assert repair(expected) == expected


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("", "", []),
        ("Dia datang.,Menurut polisi, dia kabur.", "Dia datang.\n\nMenurut polisi, dia kabur.", []),
        (
            "Harga naik. (Baca juga: ,) Pedagang mengeluh.",
            "Harga naik. Pedagang mengeluh.",
            ["related_link"],
        ),
        ("Dia kalah 2-3 dari  ,, Malaysia , Kamis.", "Dia kalah 2-3 dari, Malaysia, Kamis.", []),
        (
            "Info di www.contoh.com. (dta),Artikel ini telah tayang di,dengan judul X",
            "Info di www.contoh.com.",
            ["credit", "republished"],
        ),
        ("Hasilnya bagus.,Penulis: Annesa K. Ramadhany,,,,,", "Hasilnya bagus.", ["byline"]),
        ("Ini enak. Simak resepnya di bawah ini.", "Ini enak.", ["call_to_action"]),
        ("Penulis naskah itu menang.", "Penulis naskah itu menang.", []),
        ("Oleh karena itu, harga naik.", "Oleh karena itu, harga naik.", []),
        ("Oleh Budi Santoso\nHarga naik.", "Harga naik.", ["byline"]),
        ("JAKARTA, KOMPAS.com - Harga cabai naik.", "Harga cabai naik.", ["dateline"]),
        ("- Harga cabai naik.", "Harga cabai naik.", ["dateline"]),
        (
            "Harga naik.\n\nLihat juga: Harga Turun\n\nSelesai.",
            "Harga naik.\n\nSelesai.",
            ["related_link"],
        ),
        ("Foto: Antara/Budi\nHarga naik.", "Harga naik.", ["credit"]),
        ("Copyright © 2024 Kompas.com", "", ["copyright"]),
        ("Bagikan: Facebook | Twitter", "", ["share_button"]),
        (",,,,", "", ["empty"]),
    ],
    ids=[
        "empty",
        "comma-join",
        "inline-related",
        "holes",
        "credit-republished",
        "byline-join",
        "simak",
        "penulis-word",
        "oleh-karena",
        "oleh-name",
        "dateline",
        "dateline-remnant",
        "lihat-juga",
        "photo-credit",
        "copyright",
        "share",
        "punctuation-only",
    ],
)
def test_clean_cases(text: str, kept: str, dropped: list[str]) -> None:
    result = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text)
    assert result.text == kept
    assert [d.reason for d in result.dropped] == dropped


def test_share_line_without_colon() -> None:
    assert (
        Cleaner().clean("Bagikan Facebook | Twitter | WhatsApp").dropped[0].reason == "share_button"
    )


def test_dateline_kept_when_asked() -> None:
    text = "JAKARTA, KOMPAS.com - Harga cabai naik."
    assert Cleaner(CleanConfig(strip_datelines=False)).clean(text).text == text


def test_repeated_short_line_dropped_everywhere_long_line_kept_once() -> None:
    long_line = "Harga cabai rawit di pasar induk naik dua kali lipat dalam sepekan terakhir ini karena hujan."
    text = "\n\n".join(
        [
            "Promo hari ini",
            "Judul",
            long_line,
            "Promo hari ini",
            long_line,
            "Judul",
            "Promo hari ini",
        ]
    )
    result = Cleaner().clean(text)
    assert result.text == f"Judul\n\n{long_line}"
    assert [d.reason for d in result.dropped] == [
        "repeated_in_doc",
        "repeated_in_doc",
        "duplicate_in_doc",
        "duplicate_in_doc",
        "repeated_in_doc",
    ]


def test_repeated_across_documents_from_the_nth_on() -> None:
    cleaner = Cleaner(CleanConfig(cross_doc_min_docs=3))
    docs = [f"Tautan Pilihan Redaksi\n\nBerita nomor {i} tentang harga." for i in range(4)]
    results = [cleaner.clean(d) for d in docs]
    assert [r.text.startswith("Tautan Pilihan Redaksi") for r in results] == [
        True,
        True,
        False,
        False,
    ]
    assert results[2].dropped[0].reason == "repeated_across_docs"
    again = Cleaner(CleanConfig(cross_doc_min_docs=3))
    assert [again.clean(d) for d in docs] == results, "deterministic for the same order"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"repeat_min_count": 1}, "repeat_min_count"),
        ({"cross_doc_min_docs": 1}, "cross_doc_min_docs"),
        ({"repeat_max_chars": -1}, "repeat_max_chars"),
        ({"max_tracked_lines": 0}, "max_tracked_lines"),
    ],
    ids=["repeat-count", "cross-doc-one", "negative", "tracked"],
)
def test_config_errors(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        CleanConfig(**kwargs)  # type: ignore[arg-type]


def test_html_to_text_keeps_article_drops_page_chrome() -> None:
    text = html_to_text((FIXTURES / "article.html").read_text("utf-8"))
    assert text.startswith("Harga Cabai Rawit Naik Dua Kali Lipat\n\n")
    assert "Dr. Ahmad Fauzi, S.E., M.M., mengatakan" in text
    for chrome in ("Beranda", "Berita Terkait", "All rights reserved", "Harga Beras Stabil"):
        assert chrome not in text
    cleaned = Cleaner().clean(text)
    assert "Baca juga" not in cleaned.text
    assert cleaned.text.count("\n\n") == 4
    assert "Operasi pasar dilakukan di 20 titik, a.l. Kec. Cakung dan Kec. Tanjung Priok." in [
        s.text for s in segment(cleaned.text)
    ]


@pytest.mark.parametrize("html", ["", "<html><body></body></html>"], ids=["empty", "no-text"])
def test_html_to_text_empty(html: str) -> None:
    assert html_to_text(html) == ""


def test_html_to_text_without_trafilatura(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    with pytest.raises(ConfigError, match=r'pip install "idcorpus\[html\]"'):
        html_to_text("<p>Halo.</p>")


def test_version_is_a_string() -> None:
    assert isinstance(CLEANER_VERSION, str) and CLEANER_VERSION


@pytest.mark.parametrize("path", [SEED, *ARTICLES], ids=lambda p: p.stem)
def test_cleaning_is_idempotent(path: Path) -> None:
    config = CleanConfig(cross_doc_min_docs=0)
    once = Cleaner(config).clean(path.read_text("utf-8"))
    twice = Cleaner(config).clean(once.text)
    assert twice.text == once.text
    assert twice.dropped == ()


# Junk kinds of real news pages (issue 12), in small cases written for the test.
WEB_CASES = [
    (
        "baca-juga-glued-to-next-sentence",
        "Harga beras naik. Baca juga:Petani Panen Raya di Karawang Pedagang mengeluh karena stok.",
        "Harga beras naik. Pedagang mengeluh karena stok.",
        ["related_link"],
    ),
    (
        "baca-without-juga-before-quote",
        "Menteri datang. Baca: Menteri Tani: Stok Aman “Kami siap,” ujarnya.",
        "Menteri datang. “Kami siap,” ujarnya.",
        ["related_link"],
    ),
    (
        "pilihan-editor-tail",
        "Harga beras naik tajam. Pilihan Editor: Penyebab Harga Beras Naik ke Rekor Baru",
        "Harga beras naik tajam.",
        ["related_link"],
    ),
    (
        "titles-after-header",
        "Harga beras naik tajam pekan ini.\nBaca Juga\nPetani Panen Raya di Karawang\n"
        "Gubernur Tinjau Gudang Bulog\nPedagang mengeluh karena stok menumpuk.",
        "Harga beras naik tajam pekan ini.\nPedagang mengeluh karena stok menumpuk.",
        ["related_link"] * 3,
    ),
    (
        "header-then-article-text",
        "Baca juga:\nPedagang mengeluh karena stok menumpuk di gudang.",
        "Pedagang mengeluh karena stok menumpuk di gudang.",
        ["related_link"],
    ),
    ("desk-code-tail", "Harga beras naik. (fyk/ash)", "Harga beras naik.", ["credit"]),
    (
        "desk-code-no-stop",
        "9. Pintu keluar Tol Cileunyi (abc/de)",
        "9. Pintu keluar Tol Cileunyi",
        ["credit"],
    ),
    ("desk-code-line", "Harga beras naik.\n\n(abc/de/fg)", "Harga beras naik.", ["desk_code"]),
    ("day-code-tail", "Harga beras naik. (H-4)", "Harga beras naik.", ["credit"]),
    ("name-credit-tail", "Warga antre beras. (Auriga Nusantara)", "Warga antre beras.", ["credit"]),
    (
        "capitals-tail",
        "Harga beras naik di pasar. BUDI SANTOSO",
        "Harga beras naik di pasar.",
        ["byline"],
    ),
    ("red-sign-off", "Harga beras naik.\n\nRed: Budi Santoso", "Harga beras naik.", ["byline"]),
    ("sumber-line", "Harga beras naik.\n\nSumber : Antara", "Harga beras naik.", ["credit"]),
    ("copyright-caps", "Harga naik.\n\nCOPYRIGHT © ANTARA 2017", "Harga naik.", ["copyright"]),
    (
        "source-in-brackets",
        "Harga naik. (Sumber: BPS) Pedagang mengeluh.",
        "Harga naik. Pedagang mengeluh.",
        ["credit"],
    ),
    (
        "caption-with-slash-credit",
        "Menteri meninjau pasar. (Kantor/Budi Santoso) “Stok aman,” katanya.",
        "“Stok aman,” katanya.",
        ["credit", "caption"],
    ),
    (
        "foto-caption",
        "Foto: Warga antre beras (Antara/Budi)\nHarga naik.",
        "Harga naik.",
        ["credit"],
    ),
    ("doc-credit", "Doc. Humas Pemkab\nHarga naik.", "Harga naik.", ["credit"]),
    ("tag-line", "Harga naik.\n\nTags: beras, harga pangan, Bulog", "Harga naik.", ["tags"]),
    (
        "markdown-table",
        "| Penulis | Editor |\n|---|---|\n| Budi | Ani |\nHarga beras naik.",
        "Harga beras naik.",
        ["table", "empty", "table"],
    ),
    ("markdown-image", "![pasar](https://contoh.id/a.jpg)\nHarga naik.", "Harga naik.", ["image"]),
    (
        "markdown-bold-dateline",
        "**JAKARTA**\u00a0- Harga beras naik.",
        "Harga beras naik.",
        ["dateline"],
    ),
    (
        "markdown-link",
        "Kata [Menteri](https://contoh.id/m) itu benar.",
        "Kata Menteri itu benar.",
        [],
    ),
    (
        "escaped-quotes",
        'Ia berkata, \\"Harga naik.\\" Warga diam.',
        'Ia berkata, "Harga naik." Warga diam.',
        [],
    ),
    (
        "entities",
        "Ia berkata &ldquo;Aman.&rdquo;&nbsp;Warga lega.",
        "Ia berkata “Aman.” Warga lega.",
        [],
    ),
    (
        "comment-disclaimer",
        "Harga naik.\n\nKomentar yang Anda tulis menjadi tanggung jawab Anda sepenuhnya.",
        "Harga naik.",
        ["comments"],
    ),
    ("load-more", "Harga naik.\n\nLoad More...", "Harga naik.", ["widget"]),
    ("login-links", "Masuk | Daftar\n\nHarga naik.", "Harga naik.", ["paywall"]),
    ("gambas", "Harga naik. [Gambas:Video 20detik]", "Harga naik.", ["widget"]),
    (
        "ad-marker-mid-line",
        "Harga naik. SCROLL TO CONTINUE WITH CONTENT Pedagang mengeluh.",
        "Harga naik. Pedagang mengeluh.",
        ["widget"],
    ),
    ("dateline-antara", "Jakarta (ANTARA News) - Harga naik.", "Harga naik.", ["dateline"]),
    ("dateline-viva", "VIVA.co.id - Harga naik.", "Harga naik.", ["dateline"]),
    ("dateline-double-hyphen", "SOLO.COM, SOLO --Harga naik.", "Harga naik.", ["dateline"]),
    ("dateline-en-dash", "Tomohon – Harga beras naik.", "Harga beras naik.", ["dateline"]),
    (
        "dateline-no-dash",
        "Contoh.com, Jakarta Harga beras naik.",
        "Harga beras naik.",
        ["dateline"],
    ),
    ("dateline-own-line", "Denpasar, (Contoh.com)-\nHarga naik.", "Harga naik.", ["dateline"]),
    (
        "title-with-dash-kept",
        "Jokowi - Prabowo Bertemu di Istana",
        "Jokowi - Prabowo Bertemu di Istana",
        [],
    ),
    (
        "lost-quotes",
        "\ufffdStok aman sampai Lebaran, \ufffd ujar Budi dari Jokowi-Ma\ufffdruf.",
        '"Stok aman sampai Lebaran," ujar Budi dari Jokowi-Ma\'ruf.',
        [],
    ),
    (
        "promo-whatsapp",
        "Harga naik.\n\nPilih saluran favoritmu untuk kabar Contoh lewat WhatsApp Channel.",
        "Harga naik.",
        ["promo"],
    ),
    (
        "adaptation-credit",
        "Harga naik. Artikel ini diadaptasi dari bahasa Inggris Diadaptasi oleh Budi",
        "Harga naik.",
        ["republished"],
    ),
    ("dateline-city-site", "Jakarta, CNN Contoh -- Harga naik.", "Harga naik.", ["dateline"]),
    ("dateline-co-id-caps", "CONTOH.CO.ID, JAKARTA -- Harga naik.", "Harga naik.", ["dateline"]),
    (
        "markdown-related-list",
        "Harga naik.\n\n## Berita Terkait\n- [Cabai Turun](https://contoh.id/a)\n"
        "- [Bulog Impor Beras](https://contoh.id/b)\n\nPedagang senang.",
        "Harga naik.\n\nPedagang senang.",
        ["section_title", "link_list", "link_list"],
    ),
    ("markdown-menu", "[Beranda](/) | [Nasional](/n)\nHarga naik.", "Harga naik.", ["link_list"]),
    (
        "markdown-linked-image",
        "[![foto](https://contoh.id/f.jpg)](https://contoh.id/g)\nHarga naik.",
        "Harga naik.",
        ["image"],
    ),
    (
        "telegram-promo",
        "Harga naik.\n\nDapatkan update berita terbaru setiap hari dari Contoh.com. Ayo "
        "bergabung di Grup Telegram Contoh lewat tautan https://t.me/contoh. Kamu perlu "
        "install aplikasi Telegram lebih dulu.",
        "Harga naik.",
        ["promo", "call_to_action", "promo"],
    ),
    ("pagination-numbers", "Harga naik.\n\n1 2 3 Selanjutnya", "Harga naik.", ["pagination"]),
    ("pagination-words", "Harga naik.\n\nHalaman selanjutnya", "Harga naik.", ["pagination"]),
    ("numbers-in-text-kept", "Ada 2 3 orang.", "Ada 2 3 orang.", []),
    ("comment-count", "Harga naik.\n\nKomentar (0)", "Harga naik.", ["comments"]),
    ("entities-twice", "Ia berkata &amp;ldquo;Aman&amp;rdquo;.", "Ia berkata “Aman”.", []),
    (
        "ad-marker-resume",
        "Harga naik. ADVERTISEMENT SCROLL TO RESUME CONTENT Pedagang senang.",
        "Harga naik. Pedagang senang.",
        ["widget", "widget"],
    ),
    (
        "dateline-comma-agency",
        "JAKARTA, (ANTARA News) - Harga beras naik pekan ini.",
        "Harga beras naik pekan ini.",
        ["dateline"],
    ),
    (
        "dateline-foreign-agency",
        "Jakarta (AFP) – Harga beras naik pekan ini.",
        "Harga beras naik pekan ini.",
        ["dateline"],
    ),
    (
        "dateline-lowercase-domain",
        "SEMARANG, contohberita.com - Harga beras naik pekan ini.",
        "Harga beras naik pekan ini.",
        ["dateline"],
    ),
    (
        "dateline-with-day-and-date",
        "SEMARANG, Senin (13/5) - Harga beras naik pekan ini.",
        "Harga beras naik pekan ini.",
        ["dateline"],
    ),
    (
        "menu-run-of-section-names",
        "Beranda Nasional Ekonomi Olahraga Hiburan\nHarga beras naik pekan ini.",
        "Harga beras naik pekan ini.",
        ["navigation"],
    ),
    (
        "reporter-name-line-and-table-bylines",
        "Harga beras naik pekan ini.\nBUDI SANTOSO\nPenulis | Andi Wijaya\nEditor | Rina Lestari",
        "Harga beras naik pekan ini.",
        ["caps_line", "byline", "byline"],
    ),
    (
        "topic-line",
        "Harga beras naik pekan ini.\nTopik Terkait: Harga Pangan",
        "Harga beras naik pekan ini.",
        ["tags"],
    ),
    (
        "embedded-tweet",
        "Harga beras naik pekan ini.\nRice prices are up again this week, traders say. "
        "pic.twitter.com/AbC123 — Kabar Pasar (@kabarpasar) June 4, 2024\nPedagang mengeluh.",
        "Harga beras naik pekan ini.\nPedagang mengeluh.",
        ["embed"],
    ),
    (
        "embedded-tweet-text-then-signature",
        "Harga beras naik pekan ini.\nRice prices are up again this week, traders say.\n"
        "— Kabar Pasar (@kabarpasar) June 4, 2024\nPedagang mengeluh.",
        "Harga beras naik pekan ini.\nPedagang mengeluh.",
        ["embed", "embed"],
    ),
    (
        "embedded-tweet-with-link-then-signature",
        "Harga beras naik pekan ini.\nRice prices are up again, traders say. pic.twitter.com/AbC1\n"
        "— Kabar Pasar (@kabarpasar) June 4, 2024\nPedagang mengeluh.",
        "Harga beras naik pekan ini.\nPedagang mengeluh.",
        ["embed", "embed"],
    ),
    (
        "embedded-instagram",
        "Harga beras naik pekan ini.\nLihat postingan ini di Instagram\n"
        "Sebuah kiriman dibagikan oleh Kabar Pasar (@kabarpasar)",
        "Harga beras naik pekan ini.",
        ["embed", "embed"],
    ),
    (
        "pull-quote-repeating-a-body-quote",
        '"Kami tidak mau menjual rugi terus," kata Slamet, petani di Kluwut.\n'
        '"Kami tidak mau menjual rugi terus"\nHarga bawang anjlok.',
        '"Kami tidak mau menjual rugi terus," kata Slamet, petani di Kluwut.\nHarga bawang anjlok.',
        ["pull_quote"],
    ),
    (
        "quote-paragraph-said-once-kept",
        '"Kami tidak mau menjual rugi terus."\nHarga bawang anjlok.',
        '"Kami tidak mau menjual rugi terus."\nHarga bawang anjlok.',
        [],
    ),
    (
        "caption-credit-doc",
        "Warga memadati pasar induk pada pagi hari. Doc. Istimewa",
        "Warga memadati pasar induk pada pagi hari.",
        ["credit"],
    ),
    (
        "baca-juga-after-a-bullet",
        "Harga naik pekan ini.\n» Baca juga: Stok Beras Bulog Dipastikan Aman\nPedagang senang.",
        "Harga naik pekan ini.\nPedagang senang.",
        ["related_link"],
    ),
    (
        "wordpress-caption-shortcode",
        'Harga naik pekan ini.\n[caption id="attachment_12" width="640"]Pedagang cabai di '
        "pasar. (Foto: Istimewa)[/caption]\nPedagang senang.",
        "Harga naik pekan ini.\nPedagang senang.",
        ["caption"],
    ),
    (
        "visit-our-social-media",
        "Harga naik pekan ini.\nKunjungi juga media sosial kami di Instagram @contohcom.",
        "Harga naik pekan ini.",
        ["promo"],
    ),
    (
        "poll-and-its-answers",
        "Harga naik pekan ini.\nPolling: Apakah Anda setuju dengan program ini?\nYa\nTidak\n"
        "Pedagang mengeluh karena stok menumpuk.",
        "Harga naik pekan ini.\nPedagang mengeluh karena stok menumpuk.",
        ["poll", "poll", "poll"],
    ),
    (
        "poll-heading-question-and-answers",
        "Harga naik pekan ini.\nPolling\nApakah suku bunga perlu turun?\nYa\nTidak\n"
        "Pedagang mengeluh karena stok menumpuk.",
        "Harga naik pekan ini.\nPedagang mengeluh karena stok menumpuk.",
        ["poll"] * 4,
    ),
    (
        "ticker-line",
        "IHSG 7.123,45 (+0,5%) | Rupiah 15.600 | Emas 1.200.000\nHarga naik pekan ini.",
        "Harga naik pekan ini.",
        ["navigation"],
    ),
    (
        "menu-word-as-an-exclamation-kept",
        "Keluar!\nIa menutup pintu.",
        "Keluar!\nIa menutup pintu.",
        [],
    ),
    ("please-come-in-kept", "Silakan masuk.\nIa duduk.", "Silakan masuk.\nIa duduk.", []),
    (
        "baca-juga-in-lower-case-text-kept",
        "Anda bisa baca juga di situs resmi pemerintah daerah.",
        "Anda bisa baca juga di situs resmi pemerintah daerah.",
        [],
    ),
]


@pytest.mark.parametrize(
    ("text", "kept", "dropped"), [c[1:] for c in WEB_CASES], ids=[c[0] for c in WEB_CASES]
)
def test_web_junk_cases(text: str, kept: str, dropped: list[str]) -> None:
    result = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text)
    assert result.text == kept
    assert sorted(d.reason for d in result.dropped) == sorted(dropped)


MENU = "Beranda Nasional Ekonomi Olahraga Hiburan Kontak Kami"
SITE_DOCS = [
    f"{MENU}\n\nBerita nomor {i}: harga beras naik di pasar {i}.\n\nIkuti kami di Contoh Sosial"
    for i in range(6)
] + [f"Artikel lain {i} tanpa menu, harga cabai turun." for i in range(2)]


def test_parallel_cleaning_with_explicit_drops_equals_sequential() -> None:
    """The main process counts fingerprints in order; workers clean in any order with the
    drop sets: the results are those of one sequential Cleaner."""
    config = CleanConfig(cross_doc_min_docs=3)
    sequential = [r for r in map(Cleaner(config).clean, SITE_DOCS)]
    tracker = RepeatTracker(config)
    drops = [tracker.observe(fingerprints(doc, config)) for doc in SITE_DOCS]
    worker = Cleaner(config)
    order = list(reversed(range(len(SITE_DOCS))))
    parallel = {i: worker.clean(SITE_DOCS[i], drop=drops[i]) for i in order}
    assert [parallel[i] for i in range(len(SITE_DOCS))] == sequential
    menus = [MENU in r.text for r in sequential]
    assert menus == [True, True, False, False, False, False, False, False]
    assert sequential[2].dropped[0] == DroppedLine(1, MENU, "repeated_across_docs")


def test_fingerprint_normalises_case_spaces_and_punctuation() -> None:
    same = ["Baca Juga", "  baca\u00a0juga: ", "BACA JUGA.", "Baca\u200b Juga -"]
    assert len({line_fingerprint(s) for s in same}) == 1
    assert line_fingerprint("Baca juga") != line_fingerprint("Baca lagi")
    text = "Menu\r\nMenu dua\n\n   \n" + "x" * 201
    assert fingerprints(text, CleanConfig()) == {
        line_fingerprint("Menu"),
        line_fingerprint("menu dua"),
    }


def test_repeat_tracker_counts_each_document_once_and_is_bounded() -> None:
    tracker = RepeatTracker(CleanConfig(cross_doc_min_docs=2, max_tracked_lines=1))
    a, b = sorted([line_fingerprint("satu"), line_fingerprint("dua")])
    assert tracker.observe(frozenset({a, b})) == frozenset()
    assert tracker.observe(frozenset({a, b})) == frozenset({a})  # b was never tracked
    assert RepeatTracker(CleanConfig(cross_doc_min_docs=0)).observe(frozenset({a})) == frozenset()


def _junk_line(size: int) -> str:
    """One line of about `size` characters mixing article text with junk of every kind."""
    unit = (
        "Harga beras naik di pasar induk, kata Budi (28/5/2025). Baca juga:Petani Panen "
        "Raya di Karawang Pedagang mengeluh. “Stok aman. Harga turun,” ujar dia. "
        "SCROLL TO CONTINUE WITH CONTENT (Sumber: BPS) Warga lega, 5 Bulan berselang. "
    )
    return (unit * (size // len(unit) + 1))[:size]


def test_cleaning_and_segmenting_are_linear_in_the_line_length() -> None:
    import time

    def seconds(text: str, runs: int) -> float:
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            segment(Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text).text)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = _junk_line(60_000), _junk_line(240_000)
    seconds(small, 1)  # warm-up: patterns compiled, ftfy imported
    ratio = seconds(large, 2) / seconds(small, 3)
    assert ratio < 8, f"4x the text took {ratio:.1f}x the time (quadratic would be ~16x)"


# -- positions in the document as read (issue 23) --------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept_lines", "dropped_lines"),
    [
        ("\n\nHarga naik.\r\nStok aman.\n\n\n\nBaca juga: Harga Cabai Turun Lagi\n", [3, 4], [8]),
        ("Satu kalimat.\u2028Dua kalimat.\u2029Tiga kalimat.", [1, 2, 3], []),
        ("Harga naik.   Tag: beras, harga\tBagikan", [1], [1, 1]),
    ],
    ids=["blank-lines-and-crlf", "unicode-breaks", "blocks-of-one-line"],
)
def test_lines_are_the_input_lines(
    text: str, kept_lines: list[int], dropped_lines: list[int]
) -> None:
    result = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(text)
    kept = [result.line_of(s.start) for s in segment(result.text)]
    assert kept == kept_lines
    assert [d.line_no for d in result.dropped] == dropped_lines


def test_a_run_of_spaces_or_a_tab_separates_blocks() -> None:
    result = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean("Harga naik.   Stok aman.\tKata dia.")
    assert result.text == "Harga naik.\n\nStok aman.\n\nKata dia."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Liberty Justice Center\u00e2\u0080\u0094yang mewakili",
            "Liberty Justice Center—yang mewakili",
        ),
        ("naik 2\u00e2\u0080\u00933 persen", "naik 2–3 persen"),
        ("&acirc;&#128;&#156;Kami siap,&acirc;&#128;&#157; kata dia.", "“Kami siap,” kata dia."),
        (
            "&Atilde;&cent;&acirc;&#130;&not;&Aring;&#147;Mari bersih,&Atilde;&cent;&acirc;&#130;"
            "&not;&Acirc;&#157; kata dia.",
            "“Mari bersih,” kata dia.",
        ),
        ("harga &amp;ldquo;naik&amp;rdquo;", "harga “naik”"),
    ],
    ids=[
        "c1-mojibake-em-dash",
        "c1-mojibake-en-dash",
        "double-encoded",
        "triple-encoded",
        "escaped-twice",
    ],
)
def test_mojibake_and_entities_repaired_as_ftfy_would(raw: str, expected: str) -> None:
    assert repair(raw) == expected


def test_c1_mojibake_survives_reading_until_it_is_repaired(tmp_path: Path) -> None:
    """The read stage keeps U+0080-U+009F (what is left of a mis-decoded em dash); the
    cleaner repairs them as ftfy does (a lone U+0085 is the Windows-1252 ellipsis)."""
    from corpus.read.config import ReadConfig
    from corpus.read.inputs import iter_documents
    from corpus.report import Report

    path = tmp_path / "a.txt"
    path.write_text(
        "Center\u00e2\u0080\u0094yang mewakili lima usaha kecil. Kata\u0085 dia.", "utf-8"
    )
    doc = next(iter(iter_documents([str(path)], ReadConfig(), Report())))
    text = Cleaner(CleanConfig(cross_doc_min_docs=0)).clean(doc.text).text
    assert text == "Center—yang mewakili lima usaha kecil. Kata… dia."
