"""Chinese line breaking on certificates: no line starts with a closing mark or ends with an
opening one, and numbers stay whole."""

from __future__ import annotations

import pytest

from gonghui.core.pdf import NO_LINE_END, NO_LINE_START, cjk_font, wrap_chinese


@pytest.fixture(scope="module")
def font() -> str:
    return cjk_font().name


@pytest.mark.parametrize("width", range(60, 400, 7))
def test_no_line_starts_with_a_closing_mark_nor_ends_with_an_opening_one(font, width) -> None:
    text = "　　在2025年度表彰中，被授予“自治区劳动模范”荣誉称号。特发此证，以资鼓励！（特此证明）"
    lines = wrap_chinese(text, font, 22, width)

    assert "".join(lines) == text
    assert all(line[0] not in NO_LINE_START for line in lines[1:])
    assert all(line[-1] not in NO_LINE_END for line in lines[:-1])
    assert not any(line.endswith("20") or line.startswith("25") for line in lines)


def test_the_line_that_broke_before_a_full_stop(font) -> None:
    text = "　　在2025年度表彰中，被授予“自治区劳动模范”荣誉称号。特发此证，以资鼓励。"
    width = 22 * 33  # as wide as the certificate's body, where 。 used to start a line
    lines = wrap_chinese(text, font, 22, width)
    assert all(not line.startswith("。") for line in lines)
