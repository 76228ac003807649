"""Home-page panels: each app registers what it can show a user; the home page renders those that apply.

A panel is a function ``panel(request) -> dict | None`` returning the template to render and its
context, or None when it has nothing for this user. Lower apps never import the higher ones that
fill their pages: the higher app registers here.
"""

_panels = []


def register(order):
    def decorator(func):
        _panels.append((order, func))
        _panels.sort(key=lambda item: item[0])
        return func

    return decorator


def panels_for(request):
    rendered = []
    for _order, func in _panels:
        panel = func(request)
        if panel:
            rendered.append(panel)
    return rendered
