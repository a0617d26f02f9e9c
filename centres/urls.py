from django.urls import path

from . import views

app_name = "centres"

urlpatterns = [
    # The learner's side
    path("deelnemen/<str:code>/", views.join, name="join"),
    path("uitnodiging/<str:token>/", views.invitation, name="invitation"),
    path("mijn-leeromgeving/inschrijving/<int:pk>/", views.enrollment_detail, name="enrollment"),
    path("mijn-leeromgeving/inschrijving/<int:pk>/verlaten/", views.enrollment_leave, name="enrollment_leave"),
    # The centre staff's side
    path("centrum/", views.centre_home, name="home"),
    path("centrum/cohorten/nieuw/", views.cohort_create, name="cohort_create"),
    path("centrum/cohorten/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("centrum/cohorten/<int:pk>/bewerken/", views.cohort_edit, name="cohort_edit"),
    path("centrum/cohorten/<int:pk>/nieuwe-link/", views.cohort_regenerate_code, name="cohort_regenerate_code"),
    path("centrum/cohorten/<int:pk>/inschrijven/", views.bulk_enroll, name="bulk_enroll"),
    path("centrum/cohorten/<int:pk>/inschrijven/<int:batch_pk>/", views.batch_report, name="batch_report"),
    path(
        "centrum/cohorten/<int:pk>/uitnodigingen/<int:invitation_pk>/opnieuw/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "centrum/cohorten/<int:pk>/deelnemers/<int:enrollment_pk>/status/",
        views.enrollment_status,
        name="enrollment_status",
    ),
]
