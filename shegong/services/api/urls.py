"""The services app's API routes: (prefix, viewset, basename), registered in the one router."""

routes = []
