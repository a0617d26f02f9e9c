from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("centrum/rapport/", views.centre_report, name="centre"),
    path("centrum/rapport/export.csv", views.centre_export_csv, name="centre_csv"),
    path("centrum/rapport/export.xlsx", views.centre_export_xlsx, name="centre_xlsx"),
    path("centrum/programma/", views.programme_report, name="programme"),
    path("centrum/programma/export.csv", views.programme_export_csv, name="programme_csv"),
    path("centrum/programma/export.xlsx", views.programme_export_xlsx, name="programme_xlsx"),
]
