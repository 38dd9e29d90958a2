from django.urls import path

from gonghui.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("verify/", views.mfa_verify, name="mfa_verify"),
    path("two-step/", views.mfa_setup, name="mfa_setup"),
    path("me/", views.me, name="me"),
    path("password/", views.password_change, name="password_change"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("pick/", views.account_choices, name="pick"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/two-step/reset/", views.user_reset_mfa, name="user_reset_mfa"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
]
