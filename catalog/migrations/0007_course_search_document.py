"""Full-text search of the catalogue (catalog.search): pg_trgm, the weighted search document, its triggers and
GIN indexes. Everything but the column is PostgreSQL-only; on SQLite the column stays empty and search falls
back to substrings.

The trigram threshold is not a database setting: catalog.search sets it inside each search statement
(``set_config(..., true)``), which needs no owner rights, works through PgBouncer's transaction pooling and
holds on a restored or replica database. (An earlier version of this migration ran ``ALTER DATABASE … SET
pg_trgm.word_similarity_threshold``; a database that ran it keeps a setting nothing reads any more.)"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION catalog_course_search_document(p_id uuid, p_title text, p_description text, p_instructor uuid)
RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('english'::regconfig, coalesce(p_title, '')), 'A')
      || setweight(to_tsvector('english'::regconfig, coalesce(p_description, '')), 'B')
      || setweight(to_tsvector('english'::regconfig,
             coalesce((SELECT string_agg(m.title, ' ') FROM catalog_module m WHERE m.course_id = p_id), '') || ' ' ||
             coalesce((SELECT string_agg(l.title, ' ') FROM catalog_lesson l
                       JOIN catalog_module m ON m.id = l.module_id WHERE m.course_id = p_id), '')), 'C')
      || setweight(to_tsvector('english'::regconfig,
             coalesce((SELECT u.full_name FROM accounts_user u WHERE u.id = p_instructor), '')), 'D')
$$;

CREATE OR REPLACE FUNCTION catalog_course_search_refresh(p_course uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE catalog_course c
     SET search_document = catalog_course_search_document(c.id, c.title, c.description, c.instructor_id)
   WHERE c.id = p_course
$$;

CREATE OR REPLACE FUNCTION catalog_course_search_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_document := catalog_course_search_document(NEW.id, NEW.title, NEW.description, NEW.instructor_id);
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION catalog_module_search_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM catalog_course_search_refresh(CASE WHEN TG_OP = 'DELETE' THEN OLD.course_id ELSE NEW.course_id END);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION catalog_lesson_search_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM catalog_course_search_refresh(m.course_id) FROM catalog_module m
    WHERE m.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.module_id ELSE NEW.module_id END;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION catalog_instructor_search_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_course c
     SET search_document = catalog_course_search_document(c.id, c.title, c.description, c.instructor_id)
   WHERE c.instructor_id = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER catalog_course_search BEFORE INSERT OR UPDATE OF title, description, instructor_id
  ON catalog_course FOR EACH ROW EXECUTE FUNCTION catalog_course_search_set();
CREATE TRIGGER catalog_module_search_rows AFTER INSERT OR DELETE
  ON catalog_module FOR EACH ROW EXECUTE FUNCTION catalog_module_search_touch();
CREATE TRIGGER catalog_module_search_title AFTER UPDATE OF title ON catalog_module
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION catalog_module_search_touch();
CREATE TRIGGER catalog_lesson_search_rows AFTER INSERT OR DELETE
  ON catalog_lesson FOR EACH ROW EXECUTE FUNCTION catalog_lesson_search_touch();
CREATE TRIGGER catalog_lesson_search_title AFTER UPDATE OF title ON catalog_lesson
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION catalog_lesson_search_touch();
CREATE TRIGGER catalog_instructor_search AFTER UPDATE OF full_name ON accounts_user
  FOR EACH ROW WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name) EXECUTE FUNCTION catalog_instructor_search_touch();

UPDATE catalog_course c
   SET search_document = catalog_course_search_document(c.id, c.title, c.description, c.instructor_id);

CREATE INDEX catalog_course_search ON catalog_course USING gin (search_document);
CREATE INDEX catalog_course_title_trgm ON catalog_course USING gin (title gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS catalog_course_title_trgm;
DROP INDEX IF EXISTS catalog_course_search;
DROP TRIGGER IF EXISTS catalog_instructor_search ON accounts_user;
DROP TRIGGER IF EXISTS catalog_lesson_search_title ON catalog_lesson;
DROP TRIGGER IF EXISTS catalog_lesson_search_rows ON catalog_lesson;
DROP TRIGGER IF EXISTS catalog_module_search_title ON catalog_module;
DROP TRIGGER IF EXISTS catalog_module_search_rows ON catalog_module;
DROP TRIGGER IF EXISTS catalog_course_search ON catalog_course;
DROP FUNCTION IF EXISTS catalog_instructor_search_touch();
DROP FUNCTION IF EXISTS catalog_lesson_search_touch();
DROP FUNCTION IF EXISTS catalog_module_search_touch();
DROP FUNCTION IF EXISTS catalog_course_search_set();
DROP FUNCTION IF EXISTS catalog_course_search_refresh(uuid);
DROP FUNCTION IF EXISTS catalog_course_search_document(uuid, text, text, uuid);
"""


def _on_postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # no parameters: a '%' in the SQL stays literal

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0006_completed_enrollments_stay_at_100"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="course",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(_on_postgres(FORWARD), _on_postgres(BACKWARD)),
        migrations.AddIndex(
            model_name="enrollment",
            index=models.Index(fields=["course", "status", "created_at"], name="catalog_enroll_course_recent"),
        ),
    ]
