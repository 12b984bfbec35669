"""Sentence segmentation: hard Indonesian cases, exact offsets, paragraphs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus.segment.sentences import SEGMENTER_VERSION, segment, split_paragraphs, split_sentences

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

CASES = [
    # titles and honorifics before names
    (
        "dr",
        "Dr. Budi Santoso hadir. Ia datang pagi.",
        ["Dr. Budi Santoso hadir.", "Ia datang pagi."],
    ),
    (
        "prof-ir-h",
        "Prof. Ir. H. Joko Widodo membuka acara.",
        ["Prof. Ir. H. Joko Widodo membuka acara."],
    ),
    (
        "hj",
        "Rumah Hj. Siti Aminah terbakar. Tidak ada korban.",
        ["Rumah Hj. Siti Aminah terbakar.", "Tidak ada korban."],
    ),
    (
        "tn-ny",
        "Tn. Ahmad dan Ny. Rahma hadir. Nn. Sari absen.",
        ["Tn. Ahmad dan Ny. Rahma hadir.", "Nn. Sari absen."],
    ),
    (
        "sdr-bpk",
        "Sdr. Andi dan Bpk. Hasan diperiksa polisi.",
        ["Sdr. Andi dan Bpk. Hasan diperiksa polisi."],
    ),
    (
        "yth",
        "Yth. Bapak Bupati. Dengan hormat, kami mengundang Bapak.",
        ["Yth. Bapak Bupati.", "Dengan hormat, kami mengundang Bapak."],
    ),
    (
        "drs-kh",
        "Drs. KH. Ma'ruf Amin berpidato. Hadirin bertepuk tangan.",
        ["Drs. KH. Ma'ruf Amin berpidato.", "Hadirin bertepuk tangan."],
    ),
    (
        "military",
        "Brigjen. Pol. Dedi Prasetyo menjelaskan kasus itu.",
        ["Brigjen. Pol. Dedi Prasetyo menjelaskan kasus itu."],
    ),
    # administrative abbreviations
    (
        "kab-kec",
        "Banjir melanda Kab. Bandung dan Kec. Dayeuhkolot. Ribuan warga mengungsi.",
        ["Banjir melanda Kab. Bandung dan Kec. Dayeuhkolot.", "Ribuan warga mengungsi."],
    ),
    (
        "kel-prov",
        "Ia lahir di Kel. Menteng, Prov. DKI Jakarta.",
        ["Ia lahir di Kel. Menteng, Prov. DKI Jakarta."],
    ),
    (
        "jl-gg-no",
        "Kantornya di Jl. Sudirman Gg. Mawar No. 12. Buka setiap hari.",
        ["Kantornya di Jl. Sudirman Gg. Mawar No. 12.", "Buka setiap hari."],
    ),
    (
        "no-code",
        "Sesuai Peraturan Bapepam No. XI. B. 02.00 tentang pembelian kembali. Jangka waktunya 18 bulan.",
        [
            "Sesuai Peraturan Bapepam No. XI. B. 02.00 tentang pembelian kembali.",
            "Jangka waktunya 18 bulan.",
        ],
    ),
    (
        "rt-rw",
        "Warga RT. 03/RW. 05 kerja bakti. Mereka membersihkan selokan.",
        ["Warga RT. 03/RW. 05 kerja bakti.", "Mereka membersihkan selokan."],
    ),
    (
        "kab-lowercase",
        "Pemkab menyebut kab. Bogor siap. Warga lega.",
        ["Pemkab menyebut kab. Bogor siap.", "Warga lega."],
    ),
    # company forms
    (
        "pt",
        "PT. Astra International mencatat laba. Sahamnya naik.",
        ["PT. Astra International mencatat laba.", "Sahamnya naik."],
    ),
    (
        "tbk-lower",
        "PT Bank Mandiri (Persero) Tbk. mencatat laba Rp10 triliun.",
        ["PT Bank Mandiri (Persero) Tbk. mencatat laba Rp10 triliun."],
    ),
    (
        "tbk-end",
        "Laba itu dibukukan PT Unilever Indonesia Tbk. Perseroan optimistis.",
        ["Laba itu dibukukan PT Unilever Indonesia Tbk.", "Perseroan optimistis."],
    ),
    (
        "tbk-ticker",
        "Saham PT Bank Negara Indonesia Tbk. (BBNI) menguat.",
        ["Saham PT Bank Negara Indonesia Tbk. (BBNI) menguat."],
    ),
    (
        "pte-ltd",
        "Anak usaha Sampoerna Asia Pte. Ltd. menjual sahamnya.",
        ["Anak usaha Sampoerna Asia Pte. Ltd. menjual sahamnya."],
    ),
    (
        "cv",
        "CV. Maju Jaya menang tender. Nilainya Rp2 miliar.",
        ["CV. Maju Jaya menang tender.", "Nilainya Rp2 miliar."],
    ),
    # Latin-style and Indonesian shorthand
    (
        "dll-end",
        "Ia membeli beras, gula, minyak, dll. Namun harganya naik.",
        ["Ia membeli beras, gula, minyak, dll.", "Namun harganya naik."],
    ),
    ("dll-lower", "Beras, gula, dll. harus tersedia.", ["Beras, gula, dll. harus tersedia."]),
    (
        "dsb",
        "Pakaian, sepatu, dsb. Semua dijual murah.",
        ["Pakaian, sepatu, dsb.", "Semua dijual murah."],
    ),
    (
        "dkk",
        "Penelitian Sutopo dkk. menunjukkan hal itu. Hasilnya dimuat jurnal.",
        ["Penelitian Sutopo dkk. menunjukkan hal itu.", "Hasilnya dimuat jurnal."],
    ),
    (
        "tsb",
        "Dana tsb. sudah cair. Warga menerimanya.",
        ["Dana tsb. sudah cair.", "Warga menerimanya."],
    ),
    (
        "a-n",
        "Surat itu ditandatangani a.n. Kepala Dinas. Isinya singkat.",
        ["Surat itu ditandatangani a.n. Kepala Dinas.", "Isinya singkat."],
    ),
    (
        "a-l",
        "Hadir a.l. Menteri Keuangan dan Gubernur BI.",
        ["Hadir a.l. Menteri Keuangan dan Gubernur BI."],
    ),
    (
        "s-d",
        "Pendaftaran 1 s.d. 10 Juni. Kuota terbatas.",
        ["Pendaftaran 1 s.d. 10 Juni.", "Kuota terbatas."],
    ),
    (
        "u-p",
        "Kirim ke PT Maju u.p. Bagian Keuangan. Terima kasih.",
        ["Kirim ke PT Maju u.p. Bagian Keuangan.", "Terima kasih."],
    ),
    (
        "hlm",
        "Lihat hlm. 25 dalam laporan. Datanya lengkap.",
        ["Lihat hlm. 25 dalam laporan.", "Datanya lengkap."],
    ),
    (
        "wib-end",
        "Rapat dimulai pukul 09.00 WIB. Semua anggota hadir.",
        ["Rapat dimulai pukul 09.00 WIB.", "Semua anggota hadir."],
    ),
    (
        "wib-lower",
        "Pukul 10.00 WIB. massa mulai berdatangan.",
        ["Pukul 10.00 WIB. massa mulai berdatangan."],
    ),
    (
        "month",
        "Sidang digelar 5 Jan. 2024 di Jakarta. Terdakwa hadir.",
        ["Sidang digelar 5 Jan. 2024 di Jakarta.", "Terdakwa hadir."],
    ),
    # degrees
    (
        "sh-msi",
        "Budi Santoso, S.H., M.Si. Dia adalah ketua panitia.",
        ["Budi Santoso, S.H., M.Si.", "Dia adalah ketua panitia."],
    ),
    (
        "se-mm-lower",
        "Rina Wati, S.E., M.M. menjabat direktur.",
        ["Rina Wati, S.E., M.M. menjabat direktur."],
    ),
    (
        "degree-chain",
        "Dosennya Andi S.H. M.H. Ia mengajar hukum.",
        ["Dosennya Andi S.H. M.H.", "Ia mengajar hukum."],
    ),
    (
        "phd",
        "Ia meraih gelar Ph.D. dari Leiden. Kemudian ia pulang.",
        ["Ia meraih gelar Ph.D. dari Leiden.", "Kemudian ia pulang."],
    ),
    # initials in names
    (
        "initial",
        "Presiden Susilo B. Yudhoyono hadir. Ia memberi sambutan.",
        ["Presiden Susilo B. Yudhoyono hadir.", "Ia memberi sambutan."],
    ),
    (
        "initial-first",
        "Jalan M. H. Thamrin ditutup. Polisi berjaga.",
        ["Jalan M. H. Thamrin ditutup.", "Polisi berjaga."],
    ),
    (
        "initial-dotted",
        "Buku karya J.K. Rowling laris. Penerbit senang.",
        ["Buku karya J.K. Rowling laris.", "Penerbit senang."],
    ),
    (
        "initial-then-starter",
        "Ia minum vitamin C. Namun flunya belum sembuh.",
        ["Ia minum vitamin C.", "Namun flunya belum sembuh."],
    ),
    (
        "country-dotted",
        "Pejabat A.S. Departemen Luar Negeri hadir. Mahkamah Agung A.S. Seperti biasa, diam.",
        [
            "Pejabat A.S. Departemen Luar Negeri hadir.",
            "Mahkamah Agung A.S.",
            "Seperti biasa, diam.",
        ],
    ),
    (
        "alaihissalam",
        "Ia meneladani Nabi Musa a.s. Beliau sabar.",
        ["Ia meneladani Nabi Musa a.s.", "Beliau sabar."],
    ),
    # numbers with Indonesian separators
    (
        "rupiah",
        "Harganya Rp1.500.000,00 per unit. Naik dari tahun lalu.",
        ["Harganya Rp1.500.000,00 per unit.", "Naik dari tahun lalu."],
    ),
    (
        "persen",
        "Ekonomi tumbuh 3,5 persen. Inflasi 2,1 persen.",
        ["Ekonomi tumbuh 3,5 persen.", "Inflasi 2,1 persen."],
    ),
    (
        "date",
        "Rapat digelar 23/11/2026. Semua diundang.",
        ["Rapat digelar 23/11/2026.", "Semua diundang."],
    ),
    (
        "year-then-digit",
        "Proyek selesai pada 2017. 23.100 ton beras dikirim.",
        ["Proyek selesai pada 2017.", "23.100 ton beras dikirim."],
    ),
    (
        "decimal-time",
        "Pukul 10.30 massa bubar. Jalan kembali dibuka.",
        ["Pukul 10.30 massa bubar.", "Jalan kembali dibuka."],
    ),
    # ellipsis
    ("ellipsis-upper", "Dia bilang... Saya tidak tahu.", ["Dia bilang...", "Saya tidak tahu."]),
    ("ellipsis-lower", "Saya pikir... ya sudahlah.", ["Saya pikir... ya sudahlah."]),
    ("ellipsis-char", "Tunggu… Kami belum siap.", ["Tunggu…", "Kami belum siap."]),
    # closing quotes and brackets after the stop
    (
        "quote-comma",
        "“Kami siap bertanding,” ujarnya. Tim berangkat besok.",
        ["“Kami siap bertanding,” ujarnya.", "Tim berangkat besok."],
    ),
    (
        "quote-after-stop",
        "Ia berkata, “Kami siap.” Lalu ia pergi.",
        ["Ia berkata, “Kami siap.”", "Lalu ia pergi."],
    ),
    (
        "quote-straight",
        'Dia bilang "tidak tahu." Semua diam.',
        ['Dia bilang "tidak tahu."', "Semua diam."],
    ),
    # a quotation of several sentences is split inside (UD, Moses, FLORES): the opening quote
    # stays with the first piece, the closing quote and the attribution with the last
    (
        "quote-multi-attribution",
        "“Saya lelah. Saya mau pulang,” kata Ani. Ia pun pergi.",
        ["“Saya lelah.", "Saya mau pulang,” kata Ani.", "Ia pun pergi."],
    ),
    (
        "quote-multi-straight",
        '"Jalan ditutup malam ini. Besok dibuka pukul 06.00 WIB. Warga diminta sabar," ujar Budi.',
        [
            '"Jalan ditutup malam ini.',
            "Besok dibuka pukul 06.00 WIB.",
            'Warga diminta sabar," ujar Budi.',
        ],
    ),
    (
        "quote-multi-no-attribution",
        '"Kami bersyukur. Lawan kami kuat." Tim lalu kembali ke hotel.',
        ['"Kami bersyukur.', 'Lawan kami kuat."', "Tim lalu kembali ke hotel."],
    ),
    (
        "quote-question-inside",
        '"Ia bertanya apakah rapat jadi digelar? Pak Lurah bingung," kata Husain.',
        ['"Ia bertanya apakah rapat jadi digelar?', 'Pak Lurah bingung," kata Husain.'],
    ),
    (
        "quote-exclaim-inside",
        "“Keputusan itu salah besar! Semoga segera DIBATALKAN,” tulis dia.",
        ["“Keputusan itu salah besar!", "Semoga segera DIBATALKAN,” tulis dia."],
    ),
    (
        "quote-nested-single",
        "“Dia berkata ‘harganya murah. Saya tidak percaya’ lalu pergi. Saya heran,” tutur Sari.",
        [
            "“Dia berkata ‘harganya murah.",
            "Saya tidak percaya’ lalu pergi.",
            "Saya heran,” tutur Sari.",
        ],
    ),
    (
        "quote-capitalised-attribution",
        "“Siapa kalian? Mundur!” Ujar Budi dengan suara keras. Massa diam.",
        ["“Siapa kalian?", "Mundur!” Ujar Budi dengan suara keras.", "Massa diam."],
    ),
    (
        "quoted-title",
        'Grup Itu Rilis Lagu "Pergi!" Versi Akustik bersama orkestra.',
        ['Grup Itu Rilis Lagu "Pergi!" Versi Akustik bersama orkestra.'],
    ),
    (
        "quote-elision",
        "“Makin banyak warga yang memakai pinjaman … Walaupun cicilannya ringan,” katanya.",
        ["“Makin banyak warga yang memakai pinjaman … Walaupun cicilannya ringan,” katanya."],
    ),
    (
        "quote-lost-stop-inside",
        "“Kami mendukung semua yang Ia rencanakan,” katanya.",
        ["“Kami mendukung semua yang Ia rencanakan,” katanya."],
    ),
    (
        "verse-number-after-colon",
        "Hal itu tertulis dalam surat Al-Baqarah : 183. Dalam berpuasa umat diminta sabar.",
        ["Hal itu tertulis dalam surat Al-Baqarah : 183.", "Dalam berpuasa umat diminta sabar."],
    ),
    (
        "list-after-colon",
        "Syaratnya antara lain: 1. Membawa KTP asli dan fotokopi.",
        ["Syaratnya antara lain: 1. Membawa KTP asli dan fotokopi."],
    ),
    (
        "colon-after-ini",
        "Tonton juga liputan minggu ini: Menengok Dapur Kopi Gayo",
        ["Tonton juga liputan minggu ini: Menengok Dapur Kopi Gayo"],
    ),
    (
        "bracket",
        "Harga naik (lihat tabel.) Kemudian turun.",
        ["Harga naik (lihat tabel.)", "Kemudian turun."],
    ),
    (
        "quote-question",
        "“Kenapa?” tanya dia. Tak ada jawaban.",
        ["“Kenapa?” tanya dia.", "Tak ada jawaban."],
    ),
    # ? and !
    ("question", "Apa kabar? Baik-baik saja.", ["Apa kabar?", "Baik-baik saja."]),
    ("exclaim", "Merdeka! Seru mereka bersama.", ["Merdeka!", "Seru mereka bersama."]),
    ("exclaim-speech", "Awas! teriak petugas itu.", ["Awas! teriak petugas itu."]),
    ("interrobang", "Benarkah?! Aku tidak percaya.", ["Benarkah?!", "Aku tidak percaya."]),
    # URLs and e-mail addresses
    (
        "url",
        "Kunjungi www.pertamina.com. Atau hubungi 135.",
        ["Kunjungi www.pertamina.com.", "Atau hubungi 135."],
    ),
    (
        "url-inside",
        "Unduh di https://data.go.id/dataset?id=5 secara gratis.",
        ["Unduh di https://data.go.id/dataset?id=5 secara gratis."],
    ),
    (
        "email",
        "Kirim ke redaksi@kompas.co.id. Kami akan membalas.",
        ["Kirim ke redaksi@kompas.co.id.", "Kami akan membalas."],
    ),
    (
        "site-name",
        "JAKARTA, KOMPAS.com - Harga cabai naik.",
        ["JAKARTA, KOMPAS.com - Harga cabai naik."],
    ),
    # list items and lines without final punctuation
    (
        "headline",
        "Harga Cabai Naik Tajam\nHarga cabai rawit naik dua kali lipat.",
        ["Harga Cabai Naik Tajam", "Harga cabai rawit naik dua kali lipat."],
    ),
    (
        "bullets",
        "Syaratnya:\n- KTP asli\n- Kartu Keluarga\n- Pas foto",
        ["Syaratnya:", "- KTP asli", "- Kartu Keluarga", "- Pas foto"],
    ),
    (
        "numbered",
        "Langkahnya:\n1. Isi formulir.\n2. Bayar biaya.",
        ["Langkahnya:", "1. Isi formulir.", "2. Bayar biaya."],
    ),
    (
        "wrapped-lower",
        "Menteri itu mengatakan bahwa\nharga akan turun.",
        ["Menteri itu mengatakan bahwa\nharga akan turun."],
    ),
    (
        "caption",
        "Menlu China Wang Yi/Reuters\nWang bertemu Menlu Kazakhstan.",
        ["Menlu China Wang Yi/Reuters", "Wang bertemu Menlu Kazakhstan."],
    ),
    ("blank-line", "Judul\n\nIsi pertama", ["Judul", "Isi pertama"]),
    (
        "glued-stop",
        "Dia pergi kemarin.Menurut polisi, dia kabur.",
        ["Dia pergi kemarin.", "Menurut polisi, dia kabur."],
    ),
    (
        "lost-stop",
        "Inflasi naik 4,75 persen Sementara itu rupiah menguat tajam.",
        ["Inflasi naik 4,75 persen", "Sementara itu rupiah menguat tajam."],
    ),
    (
        "list-colon",
        "Desa itu terbagi menjadi tiga dusun, yaitu: Dusun Krajan, Dusun Sumber dan Dusun Baru.",
        [
            "Desa itu terbagi menjadi tiga dusun, yaitu:",
            "Dusun Krajan, Dusun Sumber dan Dusun Baru.",
        ],
    ),
    ("label-colon", "Jokowi: Ekonomi Tumbuh Baik", ["Jokowi: Ekonomi Tumbuh Baik"]),
    # empty and whitespace-only input
    ("empty", "", []),
    ("whitespace", "  \n\n\t \n ", []),
    ("punctuation-only-tail", "Selesai. “", ["Selesai. “"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hard_cases(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_no_break_spaces_are_spaces(text: str, expected: list[str]) -> None:
    """Scraped pages put U+00A0 inside words and between sentences: same boundaries."""
    nbsp = text.replace(" ", "\u00a0")
    assert [s.replace("\u00a0", " ") for s in split_sentences(nbsp)] == expected


def test_case_table_is_large_and_unique() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)


def _real_texts() -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [
        p.read_text("utf-8") for p in sorted((FIXTURES / "news_raw" / "articles").glob("*.txt"))
    ]
    texts += [
        json.loads(line)["text"] for line in (FIXTURES / "ud_sample.jsonl").open(encoding="utf-8")
    ]
    return texts


def test_real_text_fixtures_are_present() -> None:
    assert len(_real_texts()) > 60


@pytest.mark.parametrize("text", _real_texts())
def test_offsets_are_exact_on_real_text(text: str) -> None:
    spans = segment(text)
    assert spans, "real text yields sentences"
    previous_end = 0
    for span in spans:
        assert span.text == text[span.start : span.end]
        assert span.text == span.text.strip() and span.text
        assert span.start >= previous_end
        previous_end = span.end
    covered = "".join(s.text for s in spans)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text), "no character lost"


def test_ud_sample_gold_boundaries() -> None:
    """The UD sample (newpar-free PUD documents) is segmented exactly as the gold says."""
    rows = [json.loads(line) for line in (FIXTURES / "ud_sample.jsonl").open(encoding="utf-8")]
    wrong = [r["id"] for r in rows if split_sentences(r["text"]) != r["sentences"]]
    assert len(wrong) <= len(rows) // 20, wrong


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("Satu.", [(0, 5)]),
        ("A\n\nB", [(0, 1), (3, 4)]),
        ("  Satu baris.\nDua.\n \n\nTiga.  ", [(2, 18), (22, 27)]),
    ],
    ids=["empty", "one", "two", "blank-lines-with-spaces"],
)
def test_split_paragraphs(text: str, expected: list[tuple[int, int]]) -> None:
    spans = split_paragraphs(text)
    assert [(s.start, s.end) for s in spans] == expected
    assert all(s.text == text[s.start : s.end] for s in spans)


def test_version_is_a_string() -> None:
    assert isinstance(SEGMENTER_VERSION, str) and SEGMENTER_VERSION


def test_invariants_on_random_text() -> None:
    """Offsets stay exact and spans ordered on random mixes of the tricky characters."""
    import random

    rng = random.Random(20240601)
    alphabet = list("aZ09 .!?…:,;\"“”'’()[]-•\n\t") + [
        "Dr.",
        "Kab.",
        "dll.",
        "A.S.",
        " Namun ",
        "\n\n",
    ]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        spans = segment(text)
        end = 0
        for span in spans:
            assert span.text == text[span.start : span.end] == span.text.strip() != ""
            assert span.start >= end
            end = span.end
        assert re.sub(r"\s", "", "".join(s.text for s in spans)) == re.sub(r"\s", "", text)
