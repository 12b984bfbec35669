"""HTML pages -> main text: the page structure decides before the text is flattened (issue 12).

The pages are written for these tests after the templates of real Indonesian news sites (menus,
related lists, captions, embedded posts, comment sections, listicles, body fragments)."""

from __future__ import annotations

import re

import pytest

from corpus.html.extract import extract

PARAGRAPHS = [
    "JAKARTA, CONTOH.com - Pemerintah menaikkan harga eceran tertinggi beras medium mulai "
    "pekan depan setelah harga gabah di tingkat petani terus naik sejak awal tahun.",
    "Kepala Badan Pangan Nasional mengatakan kenaikan itu diperlukan agar penggilingan kecil "
    "tetap bisa membeli gabah dari petani dengan harga yang wajar.",
    "“Kami tidak ingin penggilingan kecil berhenti beroperasi. Petani juga harus untung,” "
    "kata dia di Jakarta, Senin (5/2/2024).",
    "Ia menambahkan bahwa stok beras pemerintah di gudang Bulog masih cukup untuk enam bulan "
    "ke depan, sehingga masyarakat tidak perlu membeli beras secara berlebihan.",
    "Sejumlah pedagang di Pasar Induk Cipinang menyambut baik rencana itu karena pasokan dari "
    "daerah sentra produksi mulai berkurang dalam dua pekan terakhir.",
]


def page(body: str, head: str = "<title>Harga Beras Naik Lagi | Contoh News</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def article(extra: str = "", headline: str = "<h1>Harga Beras Naik Lagi</h1>") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"<article>{headline}{paragraphs}{extra}</article>"


FURNITURE = {
    "html_navigation": '<nav><a href="/">Beranda</a> <a href="/o">Otomotif</a></nav>',
    "html_aside": "<aside><h3>Terpopuler</h3><p>Warga Kampung Rawa Panen Ikan Lele.</p></aside>",
    "html_caption": "<figure><img src='a.jpg'><figcaption>Petani memanen padi di sawah. "
    "(Contoh/Budi Santoso)</figcaption></figure>",
    "html_embed": '<blockquote class="twitter-tweet"><p>Prices are rising again today, '
    "says the minister.</p></blockquote>",
    "html_comments": '<div id="comments"><p>Harga di kampung saya sudah naik dari bulan '
    "lalu, pemerintah terlambat bertindak.</p></div>",
    "html_footer": "<footer><p>Hak cipta Contoh News. Semua hak dilindungi.</p></footer>",
    "html_link_list": '<ul><li><a href="/a">Harga Cabai Turun di Pasar Senen</a></li>'
    '<li><a href="/b">Bulog Tambah Stok Beras Impor</a></li></ul>',
    "html_related": '<div class="baca-juga"><p>Menteri Tinjau Gudang Beras di Karawang.</p></div>',
    "html_share": '<div class="share-bar"><span>Bagikan artikel ini</span></div>',
    "html_poll": '<div class="box-polling"><h4>Jajak Pendapat</h4><p>Setujukah Anda harga '
    "beras diatur pemerintah?</p><label>Setuju</label></div>",
}


@pytest.fixture(scope="module")
def full_page() -> tuple[str, object]:
    middle = "".join(FURNITURE[k] for k in ("html_caption", "html_embed", "html_link_list"))
    body = (
        FURNITURE["html_navigation"]
        + article(middle + FURNITURE["html_related"] + FURNITURE["html_share"])
        + FURNITURE["html_aside"]
        + FURNITURE["html_comments"]
        + FURNITURE["html_poll"]
        + FURNITURE["html_footer"]
    )
    html = page(body)
    return html, extract(html)


def test_article_kept_whole_headline_first(full_page: tuple[str, object]) -> None:
    _, result = full_page
    assert result.text.split("\n\n") == ["Harga Beras Naik Lagi", *PARAGRAPHS]  # type: ignore[attr-defined]


@pytest.mark.parametrize("reason", sorted(FURNITURE))
def test_furniture_dropped_with_reason(full_page: tuple[str, object], reason: str) -> None:
    _, result = full_page
    texts = {d.text for d in result.dropped if d.reason == reason}  # type: ignore[attr-defined]
    longest = max(re.split(r"<[^>]+>", FURNITURE[reason]), key=len)
    first_words = " ".join(longest.split()[:3])
    assert any(first_words in t for t in texts), (reason, texts)
    assert first_words not in result.text  # type: ignore[attr-defined]


def test_every_visible_block_is_kept_or_reported(full_page: tuple[str, object]) -> None:
    html, result = full_page
    visible = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "\n", html.split("</head>")[1]))
    accounted = result.text + " ".join(d.text for d in result.dropped)  # type: ignore[attr-defined]
    for word in set(re.findall(r"[A-Za-z]{4,}", visible)):
        assert word in accounted, word


def test_listicle_headings_in_article_body_are_kept() -> None:
    """trafilatura keeps the first section of an articleBody; the numbered headings of the
    others are article text too, the photo captions between them are not."""
    items = "".join(
        f'<div class="item"><h2>{n}. Penyanyi itu tampil dengan gaun merah nomor {n}.</h2>'
        f'<div class="photo"><img src="{n}.jpg"><span>Foto {n} (Sumber: Instagram)</span></div>'
        "</div>"
        for n in range(1, 4)
    )
    intro = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[1:])
    body = f'<h1>Lima Gaya Penyanyi</h1><div itemprop="articleBody"><div>{intro}</div>{items}</div>'
    text = extract(page(body)).text
    for n in range(1, 4):
        assert f"{n}. Penyanyi itu tampil dengan gaun merah nomor {n}." in text
    assert "Instagram" not in text


def test_standfirst_from_meta_description() -> None:
    lead = "Harga beras medium naik mulai pekan depan."
    head = f'<title>Harga Beras</title><meta name="description" content="{lead}">'
    body = f"<h1>Harga Beras</h1><h3>{lead}</h3><i>Penulis : Budi</i>{article(headline='')}"
    text = extract(page(body, head)).text
    assert text.split("\n\n")[:2] == ["Harga Beras", lead]
    assert "Penulis" not in text


def test_body_fragment_without_html_element() -> None:
    fragment = '<div class="article-end"><section><h2>Harga Beras Naik</h2></section>'
    fragment += "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    text = extract(fragment).text
    assert all(p in text for p in PARAGRAPHS)


def test_article_classes_that_name_furniture_do_not_drop_the_article() -> None:
    """Real article containers carry classes like "layout__ads" or "no-share"; an inline link
    whose class says "tag" is a word of its sentence."""
    linked = PARAGRAPHS[1].replace("Badan Pangan", '<a class="inner-link-tag">Badan Pangan</a>')
    paragraphs = "".join(f"<p>{p}</p>" for p in [PARAGRAPHS[0], linked, *PARAGRAPHS[2:]])
    body = f'<h1>Harga Beras</h1><div class="layout__ads no-share">{paragraphs}</div>'
    text = extract(page(body)).text
    assert all(p in text for p in PARAGRAPHS)


def test_photo_box_and_repeated_blocks_are_dropped() -> None:
    caption = "Warga antre membeli beras murah di halaman kantor kelurahan, Senin pagi."
    photo = (
        f'<div class="pic"><a><img src="a.jpg"></a><div>Contoh/Budi</div><div>{caption}</div></div>'
    )
    promo = "<div>Baca berita tanpa iklan. <a>Gabung Contoh+</a></div>"
    body = promo + "<h1>Harga Beras</h1>" + photo + article() + promo + promo
    result = extract(page(body))
    assert caption not in result.text and "Gabung" not in result.text
    reasons = {d.reason for d in result.dropped}
    assert {"html_caption", "html_repeated"} <= reasons


def test_site_name_is_cut_from_the_title() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    text = extract(page(f"<div>{body}</div>")).text
    assert text.split("\n\n")[0] == "Harga Beras Naik Lagi"


@pytest.mark.parametrize("html", ["", "  ", "<html><body></body></html>", "<p></p>"])
def test_no_text(html: str) -> None:
    assert extract(html).text == ""
