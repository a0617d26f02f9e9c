from django.urls import path

from . import views

app_name = "ideas"

urlpatterns = [
    path("ideeenmuur/", views.my_sessions, name="mine"),
    path("ideeenmuur/<int:pk>/", views.session_detail, name="session"),
    path("ideeenmuur/<int:pk>/live/", views.live, name="live"),
    path("ideeenmuur/<int:pk>/idee/", views.idea_post, name="post"),
    path("ideeenmuur/<int:pk>/klaar/", views.ready, name="ready"),
    path("ideeenmuur/<int:pk>/stippen/<int:idea_pk>/", views.vote, name="vote"),
    path("ideeenmuur/<int:pk>/fase/", views.phase, name="phase"),
    path("ideeenmuur/<int:pk>/ideeen/<int:idea_pk>/", views.moderate, name="moderate"),
    path("ideeenmuur/<int:pk>/clusters/", views.clusters, name="clusters"),
    path("ideeenmuur/<int:pk>/volgende-stappen/", views.next_steps, name="next_steps"),
    path("ideeenmuur/<int:pk>/export.csv", views.export_csv, name="export"),
    path("ideeenmuur/<int:pk>/afdrukken/", views.print_view, name="print"),
    path("centrum/cohorten/<int:pk>/ideeenmuur/", views.cohort_sessions, name="cohort"),
]
