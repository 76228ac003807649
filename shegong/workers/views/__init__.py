"""Pages of the registry app: sign-up, own record and profile, the registry."""
