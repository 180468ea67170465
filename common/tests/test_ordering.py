"""position_clamp: the one policy for a requested position among 1..last."""

from __future__ import annotations

import pytest

from common.ordering import position_clamp


@pytest.mark.parametrize(
    ("requested", "last", "expected"),
    [(None, 4, 4), (1, 4, 1), (3, 4, 3), (4, 4, 4), (5, 4, 4), (10_000, 4, 4), (0, 4, 1), (-2, 4, 1), (1, 1, 1)],
)
def test_omitted_or_past_the_end_is_last_and_below_one_is_first(requested, last, expected):
    assert position_clamp(requested, last=last) == expected
