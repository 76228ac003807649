"""Cache-Control: no-store and the Permissions-Policy on the answers of the app (issue #20, item 4)."""

import pytest
from django.core.files.base import ContentFile
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from shegong.core.middleware import NoStoreMiddleware
from shegong.core.models import TaskRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_download_and_a_signed_in_page_are_no_store(client, settings):
    settings.MEDIA_ROOT = settings.VAR_DIR / "test-media"
    owner = UserFactory()
    run = TaskRun.objects.create(user=owner, kind="test", title="导出", status=TaskRun.Status.SUCCEEDED)
    run.result_name = "persons.csv"
    run.result_file.save("persons.csv", ContentFile(b"name\n\xe5\xbc\xa0\xe4\xb8\x89\n"), save=True)
    client.force_login(owner)
    download = client.get(reverse("core:task-download", args=[run.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    page = client.get(reverse("core:task-list"))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"


def test_every_answer_turns_off_the_camera_microphone_and_geolocation(client):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def _through(response, user=None):
    request = RequestFactory().get("/")
    if user is not None:
        request.user = user
    return NoStoreMiddleware(lambda _request: response)(request)


def test_only_an_anonymous_page_that_declares_itself_public_may_be_cached():
    public = HttpResponse("规则说明")
    public["Cache-Control"] = "public, max-age=600"
    assert _through(public)["Cache-Control"] == "public, max-age=600"
    # The same page for a signed-in user, or a file, is no-store whatever the view said.
    signed_in = HttpResponse("规则说明")
    signed_in["Cache-Control"] = "public, max-age=600"
    assert _through(signed_in, UserFactory())["Cache-Control"] == "no-store"
    photo = FileResponse(iter([b"\xff\xd8"]), content_type="image/jpeg")
    photo["Cache-Control"] = "public, max-age=600"
    assert _through(photo)["Cache-Control"] == "no-store"
    assert _through(HttpResponse("登录"))["Cache-Control"] == "no-store"
