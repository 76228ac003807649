from django.urls import path

from . import views, views_security, views_twofactor, views_users

app_name = "accounts"
urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    # Account administration (delegated: one's own region's subtree, see permissions.py).
    path("users/", views_users.UserListView.as_view(), name="user-list"),
    path("users/export/", views_users.UserExportView.as_view(), name="user-export"),
    path("users/new/", views_users.UserCreateView.as_view(), name="user-create"),
    path("users/issue/", views_users.IssueAccountsView.as_view(), name="user-issue"),
    path("users/<int:pk>/", views_users.UserDetailView.as_view(), name="user-detail"),
    path("users/<int:pk>/reset-password/", views_users.UserResetPasswordView.as_view(), name="user-reset-password"),
    path("users/<int:pk>/active/", views_users.UserSetActiveView.as_view(), name="user-set-active"),
    path("users/<int:pk>/role/", views_users.UserChangeRoleView.as_view(), name="user-change-role"),
    # Two-factor authentication of one's own account (paths also listed in middleware.py).
    path("2fa/", views_twofactor.TwoFactorView.as_view(), name="2fa"),
    path("2fa/setup/", views_twofactor.TwoFactorSetupView.as_view(), name="2fa-setup"),
    path("2fa/verify/", views_twofactor.SecondFactorVerifyView.as_view(), name="2fa-verify"),
    path("2fa/recovery-codes/", views_twofactor.RecoveryCodesView.as_view(), name="2fa-recovery-codes"),
    path(
        "2fa/recovery-codes/new/",
        views_twofactor.RegenerateRecoveryCodesView.as_view(),
        name="2fa-recovery-codes-new",
    ),
    path("2fa/disable/", views_twofactor.DisableTwoFactorView.as_view(), name="2fa-disable"),
    # Security administrators: lockouts and second-factor resets within their region.
    path("security/lockouts/", views_security.LockoutListView.as_view(), name="security-lockouts"),
    path("security/lockouts/unlock/", views_security.UnlockView.as_view(), name="security-unlock"),
    path("security/two-factor/", views_security.TwoFactorAccountsView.as_view(), name="security-2fa"),
    path(
        "security/two-factor/<int:pk>/reset/",
        views_security.TwoFactorResetView.as_view(),
        name="security-2fa-reset",
    ),
]
