"""Gap-free ordering of sibling rows: modules in a course, lessons in a module, questions in a module.

Each of those tables has a (parent, position) unique constraint that is checked row by row (it is not
deferrable, and SQLite cannot defer it at all), so moving rows straight to their new places could collide
midway. ``positions_apply`` first parks the rows above ``POSITION_OFFSET`` and then writes the final
positions: two UPDATEs whatever the number of rows. Callers lock the parent row first, so two editors
cannot interleave their renumbering.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Case, F, Value, When

# Larger than any real position: a parked row can never collide with a final position.
POSITION_OFFSET = 1_000_000


def position_clamp(requested: int | None, *, last: int) -> int:
    """Where a row asked for at ``requested`` goes among positions 1..``last``: the one policy for every
    ordered list. Omitted or past the end is last (append); the serializers refuse anything below 1."""
    if requested is None:
        return last
    return max(1, min(int(requested), last))


def positions_apply(queryset: models.QuerySet, targets: dict[Any, int]) -> None:
    """Give each row of ``targets`` (pk → new position) its position, in two UPDATEs."""
    if not targets:
        return
    rows = queryset.filter(pk__in=list(targets))
    rows.update(position=F("position") + POSITION_OFFSET)
    rows.update(
        position=Case(
            *(When(pk=pk, then=Value(position)) for pk, position in targets.items()),
            output_field=models.PositiveIntegerField(),
        )
    )


def positions_renumber(
    queryset: models.QuerySet, ordered: Sequence[tuple[Any, int]], *, hole: int | None = None
) -> None:
    """Number ``ordered`` ((pk, current position) pairs) 1..n in that order; only changed rows are written.

    With ``hole``, position ``hole`` is left free (for a row about to be inserted there).
    """
    targets = {}
    for index, (pk, current) in enumerate(ordered, start=1):
        wanted = index + 1 if hole is not None and index >= hole else index
        if wanted != current:
            targets[pk] = wanted
    positions_apply(queryset, targets)
