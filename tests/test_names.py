"""corpus.names: the one rule for names that become parts of paths."""

from __future__ import annotations

import pytest

from corpus.errors import ConfigError, InputError
from corpus.names import check_split_name, is_split_name


@pytest.mark.parametrize("name", ["train", "validation", "test", "T", "dev_2", "x9_"])
def test_valid_split_names(name: str) -> None:
    assert is_split_name(name) and check_split_name(name, "--split") == name


BAD = ["", "..", ".", "../x", "a/b", "a\\b", "/abs", "1st", "_x", "a-b", "a.b", "a b",
       "train\n", "\ntrain", "tr\x00ain", "trаin", "ｔrain", "~", "-"]  # fmt: skip


@pytest.mark.parametrize("name", BAD, ids=[repr(n) for n in BAD])
def test_invalid_split_names_are_refused_naming_where(name: str) -> None:
    assert not is_split_name(name)
    with pytest.raises(ConfigError, match=r"^--split: split name .* is not valid; a split name"):
        check_split_name(name, "--split")


def test_the_error_class_follows_the_caller() -> None:
    with pytest.raises(InputError, match=r"^data/\.\.-00000-of-00001\.parquet: split name '\.\.'"):
        check_split_name("..", "data/..-00000-of-00001.parquet", InputError)
