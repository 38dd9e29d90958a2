from django.urls import path

from gonghui.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit_list"),
    path("healthz", views.healthz, name="healthz"),
]
