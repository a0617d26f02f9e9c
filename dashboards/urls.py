from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("centrum/cohorten/<int:pk>/voortgang/", views.cohort_dashboard, name="cohort"),
    path("centrum/cohorten/<int:pk>/voortgang/export.csv", views.cohort_export, name="export"),
    path("centrum/cohorten/<int:pk>/voortgang/herinnering/", views.cohort_reminder, name="reminder"),
]
