"""The two-node test's people and cohorts, made once through the ORM (run by `manage.py shell`).

Prints one JSON line: what the test needs to know (addresses, ids, URLs).
"""
import datetime
import json

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
from centres import services as centre_services
from centres.models import Centre, Cohort
from courses.models import Module
from quizzes.models import Quiz
from sections.models import Slide

PASSWORD = "Cluster-wachtwoord-2026"


def person(email, name, **extra):
    user = User.objects.create_user(email=email, password=PASSWORD, name=name, **extra)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


module = Module.objects.order_by("pk").first()
trainer = person("trainer@cluster.example", "Tessa Trainer", is_staff=True)
trainer.groups.add(Group.objects.get(name="Trainers"))
manager = person("manager@cluster.example", "Mo Manager")
centre = Centre.objects.create(name="Ondernemerscentrum Cluster", slug="cluster", country="Nederland", city="Utrecht")
centre_services.add_centre_staff(centre=centre, user=manager, role="manager")
today = datetime.date.today()
cohorts = [
    Cohort.objects.create(
        centre=centre, module=module, name=f"Cohort {n}", start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=90), capacity=None, is_open=True,
    )
    for n in range(1, 4)
]
learners = [person(f"leerling{n}@cluster.example", f"Leerling {n}") for n in range(1, 13)]
victim = person("lena@cluster.example", "Lena Slachtoffer")
slide = Slide.objects.filter(section__module=module, is_published=True).order_by("section__number", "position").first()
quizzes = [
    {"start": f"/module/{module.slug}/sectie/{q.section.number}/quiz/start/"}
    for q in Quiz.objects.filter(section__module=module).select_related("section").order_by("section__number")
]
print("CLUSTER-DATA " + json.dumps({
    "password": PASSWORD,
    "trainer": trainer.email,
    "manager": manager.email,
    "victim": victim.email,
    "learners": [u.email for u in learners],
    "cohorts": [c.pk for c in cohorts],
    "slide": {"id": slide.pk, "url": slide.get_absolute_url()},
    "quizzes": quizzes,
}))
