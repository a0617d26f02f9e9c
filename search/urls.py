from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("zoeken/", views.search, name="search"),
    path("zoeken/zonder-resultaat/", views.zero_results, name="zero_results"),
]
