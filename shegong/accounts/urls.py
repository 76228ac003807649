from django.urls import path

from .views import auth, reset, security, twofactor, users

app_name = "accounts"
urlpatterns = [
    path("password/", auth.PasswordChangeView.as_view(), name="password-change"),
    path("password/forgot/", reset.PasswordResetRequestView.as_view(), name="password-reset"),
    path("password/forgot/code/", reset.PasswordResetCompleteView.as_view(), name="password-reset-code"),
    path("profile/", auth.ProfileView.as_view(), name="profile"),
    # Account administration (delegated: one's own region's subtree, see permissions.py).
    path("users/", users.UserListView.as_view(), name="user-list"),
    path("users/export/", users.UserExportView.as_view(), name="user-export"),
    path("users/new/", users.UserCreateView.as_view(), name="user-create"),
    path("users/issue/", users.IssueAccountsView.as_view(), name="user-issue"),
    path("users/<int:pk>/", users.UserDetailView.as_view(), name="user-detail"),
    path("users/<int:pk>/reset-password/", users.UserResetPasswordView.as_view(), name="user-reset-password"),
    path("users/<int:pk>/active/", users.UserSetActiveView.as_view(), name="user-set-active"),
    path("users/<int:pk>/role/", users.UserChangeRoleView.as_view(), name="user-change-role"),
    path("users/<int:pk>/region/", users.UserChangeRegionView.as_view(), name="user-change-region"),
    # The holder of a security or audit administrator account activates it (signed out, with the code).
    path("activate/", auth.ActivateView.as_view(), name="activate"),
    # Two-factor authentication of one's own account (paths also listed in middleware.py).
    path("2fa/", twofactor.TwoFactorView.as_view(), name="2fa"),
    path("2fa/setup/", twofactor.TwoFactorSetupView.as_view(), name="2fa-setup"),
    path("2fa/verify/", twofactor.SecondFactorVerifyView.as_view(), name="2fa-verify"),
    path("2fa/recovery-codes/", twofactor.RecoveryCodesView.as_view(), name="2fa-recovery-codes"),
    path(
        "2fa/recovery-codes/new/",
        twofactor.RegenerateRecoveryCodesView.as_view(),
        name="2fa-recovery-codes-new",
    ),
    path("2fa/disable/", twofactor.DisableTwoFactorView.as_view(), name="2fa-disable"),
    # Security administrators: lockouts and second-factor resets within their region.
    path("security/lockouts/", security.LockoutListView.as_view(), name="security-lockouts"),
    path("security/lockouts/unlock/", security.UnlockView.as_view(), name="security-unlock"),
    path("security/two-factor/", security.TwoFactorAccountsView.as_view(), name="security-2fa"),
    path(
        "security/two-factor/<int:pk>/reset/",
        security.TwoFactorResetView.as_view(),
        name="security-2fa-reset",
    ),
]
