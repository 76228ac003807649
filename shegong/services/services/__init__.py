"""The services app's verbs, one module per subdomain (case work, supervision, ...)."""
