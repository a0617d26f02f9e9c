"""A question can be taught by more than one slide: the single ``slide`` becomes ``slides``.

Each question keeps the slide it had (copied into the new link) before the old column goes.
"""
from django.db import migrations, models


def copy_slide_to_slides(apps, schema_editor):
    Question = apps.get_model("quizzes", "Question")
    Through = Question.slides.through
    Through.objects.bulk_create(
        [Through(question_id=pk, slide_id=slide_id) for pk, slide_id in Question.objects.values_list("pk", "slide_id")]
    )


def copy_first_slide_back(apps, schema_editor):
    Question = apps.get_model("quizzes", "Question")
    for question in Question.objects.all():
        first = question.slides.order_by("position").first()
        if first is not None:
            Question.objects.filter(pk=question.pk).update(slide_id=first.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0002_grant_trainers_quiz_authoring"),
        ("sections", "0003_grant_trainers_images_links_and_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="question",
            name="slide",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.RESTRICT, related_name="+", to="sections.slide",
                verbose_name="slide met de uitleg",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="slides",
            field=models.ManyToManyField(
                help_text="De slides die behandelen wat deze vraag toetst; het resultaat verwijst ernaar.",
                related_name="questions", to="sections.slide", verbose_name="slides met de uitleg",
            ),
        ),
        migrations.RunPython(copy_slide_to_slides, copy_first_slide_back),
        migrations.RemoveField(model_name="question", name="slide"),
    ]
