from django.urls import path

from gonghui.honours import public

app_name = "public"
urlpatterns = [
    path("notices/", public.notices, name="notices"),
    path("notices/<int:pk>/objection/", public.objection, name="objection"),
    path("honours/", public.hall, name="hall"),
    path("honours/<int:pk>/photo/", public.photo, name="photo"),
]
