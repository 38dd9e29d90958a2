from django.urls import path, re_path

from gonghui.contests import views
from gonghui.core.imports.urls import import_urls

app_name = "contests"
urlpatterns = [
    path("", views.contest_list, name="list"),
    path("new/", views.contest_create, name="create"),
    *import_urls("contests.workbook", prefix="import/", name="import"),
    path("skills/<int:pk>/", views.skill_detail, name="skill"),
    path("skills/<int:pk>/edit/", views.skill_edit, name="skill_edit"),
    path("skills/<int:pk>/scheme/", views.skill_scheme, name="scheme"),
    path("skills/<int:pk>/competitors/", views.competitor_add, name="competitor_add"),
    path("skills/<int:pk>/judges/", views.judge_add, name="judge_add"),
    re_path(
        r"^skills/(?P<pk>[0-9]+)/(?P<kind>competitor|judge)/(?P<number>[A-Za-z0-9._-]{1,16})/remove/$",
        views.entrant_remove,
        name="entrant_remove",
    ),
    path("skills/<int:pk>/marks/", views.mark_grid, name="marks"),
    path(
        "skills/<int:pk>/marks/<int:competitor>/<int:aspect>/",
        views.mark_cell,
        name="mark_cell",
    ),
    path("skills/<int:pk>/sign-off/", views.skill_sign_off, name="sign_off"),
    path("skills/<int:pk>/reopen/", views.skill_reopen, name="reopen"),
    path("skills/<int:pk>/results/", views.skill_results, name="skill_results"),
    path("skills/<int:pk>/certificates.pdf", views.skill_certificates, name="skill_certificates"),
    path("<str:code>/", views.contest_detail, name="detail"),
    path("<str:code>/edit/", views.contest_edit, name="edit"),
    path("<str:code>/skills/", views.skill_create, name="skill_create"),
    path("<str:code>/results/", views.contest_results, name="results"),
    path("<str:code>/results.csv", views.results_export, {"format": "csv"}, name="results_csv"),
    path("<str:code>/results.xlsx", views.results_export, {"format": "xlsx"}, name="results_xlsx"),
    path("<str:code>/results.pdf", views.results_document, name="results_pdf"),
    path("<str:code>/certificates.pdf", views.contest_certificates, name="certificates"),
]
