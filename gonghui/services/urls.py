from django.urls import path

from gonghui.core.imports.urls import import_urls
from gonghui.services import views

app_name = "services"
urlpatterns = [
    path("", views.file_list, name="list"),
    path("new/", views.file_create, name="create"),
    path("<int:pk>/", views.file_detail, name="detail"),
    path("<int:pk>/edit/", views.file_edit, name="edit"),
    path("<int:pk>/step/", views.file_step, name="step"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:member>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/assistance/", views.assistance_add, name="assistance_add"),
    path("<int:pk>/visits/", views.visit_add, name="visit_add"),
    *import_urls("services.hardship_files", prefix="import/", name="import"),
]
