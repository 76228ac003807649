"""The verbs of the accounts app: every write to accounts goes through here."""
