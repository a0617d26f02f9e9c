from django.db import migrations


def backfill(apps, schema_editor):
    """Every learner's progress row, counted from the slides read and the quiz attempts so far
    (``progress.recount`` with the historical models: the same counting as ``manage.py progress_recount``)."""
    from progress import recount

    models = recount.Models(
        LearnerProgress=apps.get_model("progress", "LearnerProgress"),
        SlideView=apps.get_model("progress", "SlideView"),
        Attempt=apps.get_model("quizzes", "Attempt"),
        Slide=apps.get_model("sections", "Slide"),
        Quiz=apps.get_model("quizzes", "Quiz"),
    )
    module_ids = apps.get_model("courses", "Module").objects.values_list("pk", flat=True)
    recount.recount(models=models, module_ids=list(module_ids))


class Migration(migrations.Migration):

    dependencies = [
        ("progress", "0003_learner_progress_per_module"),
        ("quizzes", "0004_attempt_policy_draws_pacing_and_resets"),
        ("sections", "0003_grant_trainers_images_links_and_history"),
    ]

    # Emptying the table is the way back: the rows are only ever a count of other records.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
