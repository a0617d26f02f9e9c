from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("centrum/cohorten/<int:pk>/voortgang/", views.cohort_dashboard, name="cohort"),
    path("centrum/cohorten/<int:pk>/voortgang/export.csv", views.cohort_export, name="export"),
    path("centrum/cohorten/<int:pk>/voortgang/herinnering/", views.cohort_reminder, name="reminder"),
    path("centrum/cohorten/<int:pk>/deelnemers/<int:user_id>/pogingen/", views.learner_attempts, name="attempts"),
    path(
        "centrum/cohorten/<int:pk>/deelnemers/<int:user_id>/pogingen/<int:number>/herstellen/",
        views.learner_attempts_reset,
        name="attempts_reset",
    ),

    path("centrum/cohorten/<int:pk>/voortgang/deelnemer/<int:enrollment_pk>/", views.learner, name="learner"),
    path("centrum/cohorten/<int:pk>/voortgang/deelnemer/<int:enrollment_pk>/herinnering/", views.learner_remind,
         name="learner_remind"),
]
