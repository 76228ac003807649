"""Pages of the accounts app: sign-in and own account, users, security, two-factor."""
