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
    path(
        "module/<slug:module_slug>/sectie/<int:number>/concept/<slug:slug>/",
        views.slide_preview,
        name="slide_preview",
    ),
    path("afbeeldingen/<str:name>", views.slide_image, name="image"),
    # The Markdown editor's endpoints (settings.MARKDOWNX_URLS_PATH / MARKDOWNX_UPLOAD_URLS_PATH).
    path("markdownx/markdownify/", views.markdown_preview, name="markdown_preview"),
    path("markdownx/upload/", views.markdown_image_upload, name="markdown_upload"),
]
