"""Number, date, URL and e-mail agreement between a source and its translation."""

from __future__ import annotations

import pytest

from corpus.signals.numbers import number_check, readings

AGREE = [
    ("Harganya Rp1.500.000 per bulan.", "It costs Rp1,500,000 a month."),
    ("Dana itu mencapai Rp1,5 triliun.", "The fund reached IDR 1.5 trillion."),
    ("Sebanyak 1,5 juta orang datang.", "As many as 1.5 million people came."),
    ("Sebanyak 1,5 juta orang datang.", "As many as 1,500,000 people came."),
    ("Rapat digelar Senin (13/5).", "The meeting was held on Monday (May 13)."),
    ("Ia lahir pada 13 Mei 2024.", "He was born on May 13, 2024."),
    ("Pesawat jatuh pukul 9.30 pagi.", "The plane crashed at 9:30 am."),
    ("Acara dimulai pukul 20.00.", "The event starts at 8 p.m."),
    ("Ada dua belas korban.", "There were 12 victims."),
    ("Ada 12 korban.", "There were twelve victims."),
    ("Sekitar 4 puluh markas berdiri.", "About 40 bases stand."),
    ("Ia berada di peringkat ke-190.", "He ranks 190th."),
    ("Studi pada tahun 2010-2011 itu.", "The 2010-11 study."),
    ("Lihat www.example.com untuk info.", "See www.example.com for details."),
    ("Kirim ke info@contoh.id segera.", "Send it to info@contoh.id now."),
    ("Tanpa angka sama sekali.", "No numbers at all."),
    ("Harga naik 5&#37;.", "Prices rose 5%."),
]

DISAGREE = [
    ("Dana itu mencapai Rp1,5 triliun.", "The fund reached 1.5 billion."),
    ("Ia lahir tahun 1990.", "He was born in 1991."),
    ("Ada 400 orang.", "There were people."),
    ("Kecepatannya 105 mil per jam (165 km/jam).", "Its speed is 105 miles per hour."),
    ("Rapat digelar Senin (13/5).", "The meeting was held on Monday (May 14)."),
    ("Lihat www.example.com untuk info.", "See the website for details."),
    ("Kirim ke info@contoh.id segera.", "Send it to help@contoh.id now."),
    ("Tidak ada angka.", "There were 3 of them."),
]


@pytest.mark.parametrize(("source", "target"), AGREE, ids=[t for _, t in AGREE])
def test_equal_quantities_in_other_formats_agree(source: str, target: str) -> None:
    assert number_check(source, target)[0] == 0


@pytest.mark.parametrize(("source", "target"), DISAGREE, ids=[t for _, t in DISAGREE])
def test_lost_added_or_changed_quantities_are_counted(source: str, target: str) -> None:
    missing, total = number_check(source, target)
    assert 1 <= missing <= total


@pytest.mark.parametrize(
    ("token", "values"),
    [
        ("1.500.000", {1500000.0}),
        ("1,5", {1.5}),
        ("1,600", {1.6, 1600.0}),
        ("11.29", {11.29}),
        ("9:30", {9.3}),
    ],
    ids=["id-thousands", "id-decimal", "en-thousands", "time-or-decimal", "time"],
)
def test_digit_tokens_are_read_both_ways(token: str, values: set[float]) -> None:
    assert readings(token) == values
