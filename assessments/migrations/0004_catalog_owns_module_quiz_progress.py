"""Fill the catalog's module-quiz columns from the quiz data, so no learner's completion changes:
each module's question count, and one pass per learner and module (at their first passing attempt)."""

from django.db import migrations
from django.db.models import Count, Min


def fill(apps, schema_editor):
    Module = apps.get_model("catalog", "Module")
    ModuleQuizPass = apps.get_model("catalog", "ModuleQuizPass")
    Quiz = apps.get_model("assessments", "Quiz")
    QuizAttempt = apps.get_model("assessments", "QuizAttempt")

    for row in Quiz.objects.order_by().values("module_id").annotate(n=Count("pk")):
        Module.objects.filter(pk=row["module_id"]).update(quiz_question_count=row["n"])
    firsts = (
        QuizAttempt.objects.filter(passed=True)
        .order_by()
        .values("user_id", "module_id", "module__course_id")
        .annotate(first=Min("created_at"))
    )
    ModuleQuizPass.objects.bulk_create(
        (
            ModuleQuizPass(
                user_id=row["user_id"],
                module_id=row["module_id"],
                course_id=row["module__course_id"],
                passed_at=row["first"],
            )
            for row in firsts.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_quizattempt_protects_module"),
        ("catalog", "0010_module_quiz_count_and_passes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
