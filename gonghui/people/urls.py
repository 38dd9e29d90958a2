from django.urls import path

from gonghui.people import views

app_name = "people"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("count/", views.member_count, name="count"),
    path("new/", views.member_register, name="register"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/reveal/", views.person_reveal, name="reveal"),
    path("memberships/<int:pk>/transfer/", views.membership_transfer, name="transfer"),
    path("memberships/<int:pk>/end/", views.membership_end, name="end"),
]
