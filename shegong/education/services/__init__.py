"""The verbs of continuing education: providers, activities, declarations, policy, the ledger."""
