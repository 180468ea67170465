"""A row of ``.values()`` turned back into the model instances ``select_related`` would have built.

``common.precompiled.PrecompiledQuery`` compiles model instances only without ``select_related``; a hot read that
needs an object with its related objects (a lesson with its module and course, an enrollment with everything its
answer shows) is compiled as a ``.values()`` query of every concrete column of each (``select_related_values``)
and rebuilt here: the same instances, each relation cached on its parent, so nothing is read again.
"""

from __future__ import annotations

from django.db import models


def _model_at(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def select_related_values(model: type[models.Model], related: tuple[str, ...]) -> tuple[str, ...]:
    """The ``.values()`` keys of every concrete column of ``model`` and of each relation path in ``related``
    (forward relations, parents before children): the columns ``select_related(*related)`` reads."""
    names = [field.attname for field in model._meta.concrete_fields]
    for path in related:
        names += [f"{path}__{field.attname}" for field in _model_at(model, path)._meta.concrete_fields]
    return tuple(names)


def instance_with_related(row: dict, model: type[models.Model], related: tuple[str, ...], using: str):
    """The instance ``select_related(*related)`` builds, from a row of ``select_related_values(model, related)``:
    each relation cached on its parent (None for an empty nullable one)."""

    def build(built_model: type[models.Model], prefix: str):
        fields = built_model._meta.concrete_fields
        if prefix and row[prefix + built_model._meta.pk.attname] is None:
            return None
        return built_model.from_db(
            using, [field.attname for field in fields], [row[prefix + field.attname] for field in fields]
        )

    built = {"": build(model, "")}
    for path in related:
        parent_path, _, name = path.rpartition("__")
        parent = built[parent_path]
        built[path] = None if parent is None else build(_model_at(model, path), f"{path}__")
        if parent is not None:
            setattr(parent, name, built[path])
    return built[""]
