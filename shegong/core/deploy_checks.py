"""`manage.py check --deploy`: keys that would not survive a second host, and the proxy setting."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def keys_configured(app_configs=None, **kwargs):
    """A key generated into var/ differs on every host and is lost with var/: production sets them all."""
    return [
        Error(
            f"{name} is not set: a key was generated into var/ on this host only.",
            hint=(
                f"Set {name} from the secret store on every app server and worker (the same value "
                "everywhere), then restart; see docs/keys.md."
            ),
            id="shegong.E001",
        )
        for name in getattr(settings, "GENERATED_KEYS", [])
    ]


@register(Tags.security, deploy=True)
def proxy_hops_configured(app_configs=None, **kwargs):
    if getattr(settings, "HTTPS", False) and not getattr(settings, "PROXY_HOPS", 0):
        return [
            Warning(
                "SHEGONG_PROXY_HOPS is 0 in production mode: if a reverse proxy stands in front of the app, "
                "every client has the proxy's address (one address lockout locks everyone out).",
                hint="Set SHEGONG_PROXY_HOPS to the number of your reverse proxies; see docs/deployment.md.",
                id="shegong.W001",
            )
        ]
    return []
