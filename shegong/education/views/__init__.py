"""Pages of continuing education: a person's ledger, activities, officials' pages."""
