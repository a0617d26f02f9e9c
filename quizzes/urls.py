from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("module/<slug:module_slug>/sectie/<int:number>/quiz/", views.quiz_detail, name="quiz"),
    path("module/<slug:module_slug>/sectie/<int:number>/quiz/start/", views.attempt_start, name="start"),
    path(
        "module/<slug:module_slug>/sectie/<int:number>/quiz/poging/<int:attempt_id>/",
        views.attempt_take,
        name="attempt",
    ),
    path(
        "module/<slug:module_slug>/sectie/<int:number>/quiz/poging/<int:attempt_id>/resultaat/",
        views.attempt_result,
        name="result",
    ),
]
