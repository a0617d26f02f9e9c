from django.urls import path

from . import views

app_name = "progress"

urlpatterns = [
    path("certificaat/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("certificaat/<str:code>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("module/<slug:module_slug>/afgerond/", views.completion, name="completion"),
]
