from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.home, name="home"),
    path("module/<slug:module_slug>/", views.module_detail, name="module"),
    path("module/<slug:module_slug>/hand-out/", views.module_handout, name="handout"),
]
