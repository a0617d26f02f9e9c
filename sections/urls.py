from django.urls import path

from . import views

app_name = "sections"

urlpatterns = [
    path("module/<slug:module_slug>/sectie/<int:number>/", views.section_detail, name="section"),
    path(
        "module/<slug:module_slug>/sectie/<int:number>/slide/<int:position>/",
        views.slide_detail,
        name="slide",
    ),
]
