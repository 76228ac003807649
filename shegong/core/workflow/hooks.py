"""Requests an applicant has made outside the review engine, shown on 我的申请 (the applicant's page).

A higher app registers ``provider(request) -> iterable of OwnRequest`` (e.g. workers: the pending
sign-up of the signed-in user); the page lists what every provider answers, above the applications.
"""

from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class OwnRequest:
    title: str
    status: str  # words, never a stored code
    submitted_at: object
    link: str = ""
    note: str = ""


def register_own_requests(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def own_requests(request):
    rows = []
    for provider in _providers:
        rows.extend(provider(request))
    return rows
