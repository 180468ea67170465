"""The starting badge catalogue. Staff may add more in the admin; rules are data, not code."""

from django.db import migrations

BADGES = [
    # code, name, description, icon, rule_type, event_type, threshold
    ("first-lesson", "First step", "Complete your first lesson.", "footprints", "event_count", "lesson_complete", 1),
    ("ten-lessons", "Steady learner", "Complete ten lessons.", "book-open", "event_count", "lesson_complete", 10),
    ("first-quiz", "Quiz whiz", "Pass your first module quiz.", "check-circle", "event_count", "quiz_pass", 1),
    ("first-course", "Finisher", "Complete your first course.", "flag", "event_count", "course_complete", 1),
    ("five-courses", "Marathoner", "Complete five courses.", "trophy", "event_count", "course_complete", 5),
    ("xp-100", "Rising star", "Earn 100 XP.", "star", "xp_total", "", 100),
    ("xp-500", "Achiever", "Earn 500 XP.", "medal", "xp_total", "", 500),
    ("xp-1000", "Legend", "Earn 1000 XP.", "crown", "xp_total", "", 1000),
    ("first-post", "Curious mind", "Ask your first question in the forum.", "message-circle", "event_count", "forum_post", 1),
    ("ten-accepted-answers", "Helper", "Have ten of your forum answers accepted.", "life-buoy", "event_count", "answer_accepted", 10),
]


def seed(apps, schema_editor):
    Badge = apps.get_model("gamification", "Badge")
    for position, (code, name, description, icon, rule_type, event_type, threshold) in enumerate(BADGES):
        Badge.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "icon": icon,
                "rule_type": rule_type,
                "event_type": event_type,
                "threshold": threshold,
                "position": position * 10,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("gamification", "Badge").objects.filter(code__in=[badge[0] for badge in BADGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("gamification", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
