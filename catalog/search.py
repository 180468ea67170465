"""Catalogue search: ranked full-text search with typo tolerance on PostgreSQL, a substring fallback on SQLite.

On PostgreSQL every course carries ``search_document``, a weighted ``tsvector`` (title A, description B,
module and lesson titles C, the instructor's name D) that database triggers keep current (migration
``catalog.0007``): a trigger sees every door that changes a title (services, the Django admin, a shell,
bulk updates, the instructor renaming themselves in accounts, which must not import the catalog), so the
document cannot go stale. It has a GIN index, and ``title`` a ``pg_trgm`` GIN index.

A query matches a course when every word matches as a prefix (``pyth`` finds Python, for as-you-type) or
when the query is trigram-similar to a word of the title (``<%`` at ``TRIGRAM_THRESHOLD``), so a one-letter
typo (``pyhton``) still finds Python. The operator reads its threshold from the setting
``pg_trgm.word_similarity_threshold``; every statement that uses it sets it for its own transaction
(``WordSimilarityThresholdSet``), so nothing depends on a database or role default (which needs owner rights
and does not follow a restore; a session ``SET`` would not survive PgBouncer's transaction pooling). Both are
index conditions, so the search is a bitmap scan of the two GIN indexes, not a scan of the catalogue.
Relevance is ``ts_rank`` of the weighted document plus the title's trigram similarity (so typo matches rank
by closeness).

SQLite (development, the second CI run) has neither: every word must be a substring of the title or the
description, and ``relevance`` is the newest-first order.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, Case, Expression, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

# Words of a query: letters and digits only, so the raw tsquery we build can never be malformed.
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 8
# The similarity (0..1) from which a title word counts as a typo of the query (``pyhton`` ~ Python: 0.29).
TRIGRAM_THRESHOLD = 0.25
SEARCH_CONFIG = "english"
# ts_rank's weights for D, C, B, A: a title match outranks any number of description matches.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
SUGGEST_LIMIT = 8


class WordSimilarityThresholdSet(Expression):
    """A condition that is always true and sets ``pg_trgm.word_similarity_threshold`` for the current
    transaction — the statement itself under autocommit — before any row is read.

    As an uncorrelated sub-select it becomes an InitPlan behind a one-time filter (``$0 IS NOT NULL``) above the
    scans, so PostgreSQL runs it once, first, and the trigram index conditions of the same statement (``%>``)
    use the threshold (``EXPLAIN``: ``One-Time Filter`` above the ``Bitmap Index Scan``)."""

    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection):
        return (
            "(SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)) IS NOT NULL",
            [str(TRIGRAM_THRESHOLD)],
        )


def course_search_documents_rebuild() -> None:
    """Write every course's search document in one statement (after loading rows with triggers off)."""
    if uses_full_text():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE catalog_course SET search_document = "
                "catalog_course_search_document(id, title, description, instructor_id)"
            )


def search_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())[:MAX_QUERY_WORDS]


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _prefix_query(words: list[str]) -> SearchQuery:
    return SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG)


def courses_search(queryset: QuerySet, text: str) -> QuerySet:
    """Courses of ``queryset`` matching ``text``, annotated with ``relevance`` (higher is better)."""
    words = search_words(text)
    if not words:
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
    if not uses_full_text():
        condition = Q()
        for word in words:
            condition &= Q(title__icontains=word) | Q(description__icontains=word)
        return queryset.filter(condition).annotate(relevance=Value(0.0, output_field=FloatField()))
    phrase = " ".join(words)
    query = _prefix_query(words)
    rank = SearchRank(F("search_document"), query, weights=RANK_WEIGHTS, normalization=1)
    similarity = TrigramWordSimilarity(Value(phrase), "title")
    matches = Q(search_document=query) | Q(title__trigram_word_similar=phrase)
    return queryset.filter(WordSimilarityThresholdSet(), matches).annotate(
        relevance=Coalesce(rank, 0.0, output_field=FloatField()) + similarity * 0.5
    )


def title_suggestions(queryset: QuerySet, text: str) -> QuerySet:
    """Up to ``SUGGEST_LIMIT`` courses whose title completes or resembles ``text``: titles that start with it
    first, then the closest, then the most popular. One query, on the title's trigram index on PostgreSQL."""
    phrase = " ".join(search_words(text))
    if not phrase:
        return queryset.none()
    match = Q(title__icontains=phrase)
    closeness: object = Value(0.0, output_field=FloatField())
    if uses_full_text():
        match = WordSimilarityThresholdSet() & (match | Q(title__trigram_word_similar=phrase))
        closeness = TrigramWordSimilarity(Value(phrase), "title")
    return (
        queryset.filter(match)
        .annotate(
            starts=Case(When(title__istartswith=phrase, then=Value(1)), default=Value(0)),
            closeness=closeness,
        )
        .order_by("-starts", "-closeness", "-learner_count", "title", "pk")[:SUGGEST_LIMIT]
    )
