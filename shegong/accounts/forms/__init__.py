"""Forms of the accounts app."""
