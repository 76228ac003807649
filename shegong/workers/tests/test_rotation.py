"""The rotate_field_key command on real encrypted columns (Person, WorkerSignup)."""

import pytest
from django.core.management import CommandError, call_command

from shegong.core import crypto
from shegong.core.models import AuditEvent
from shegong.workers import queries, services
from shegong.workers.models import Person
from tests.factories import PersonFactory, id_number_for

pytestmark = pytest.mark.django_db


def test_rotation_reencrypts_and_reindexes(field_key, capsys):
    numbers = [id_number_for(n) for n in range(1, 8)]
    for number in numbers:
        PersonFactory(id_number=number)
    signup = services.sign_up_worker(
        "新人", id_number_for(50), "13800138000", "Worker#2026pass", claimed_region="440106"
    ).signup
    old_id = crypto.current_key_id()

    field_key.FIELD_KEY_OLD = "workers-test-key"
    field_key.FIELD_KEY = "workers-new-key"
    new_id = crypto.current_key_id()
    assert new_id != old_id

    call_command("rotate_field_key", "--dry-run")
    assert "8 rows remain under old keys." in capsys.readouterr().out
    assert all(crypto.key_id_of(t) == old_id for t in Person.objects.values_list("id_encrypted", flat=True))

    call_command("rotate_field_key", "--batch-size", "3")
    out = capsys.readouterr().out
    assert "workers.Person.id_encrypted: 7 rotated" in out
    assert "0 rows remain under old keys." in out
    for person in Person.objects.all():
        assert crypto.key_id_of(person.id_encrypted) == new_id
        number = crypto.decrypt(person.id_encrypted)
        assert number in numbers
        assert person.id_blind_index == crypto.blind_index(number)
    signup.refresh_from_db()
    assert crypto.key_id_of(signup.id_encrypted) == new_id
    assert signup.id_blind_index == crypto.blind_index(id_number_for(50))
    assert AuditEvent.objects.filter(action="core.field_key_rotation").exists()

    # After the old key is dropped everything still reads and looks up.
    field_key.FIELD_KEY_OLD = ""
    assert queries.find_person_by_id_number(numbers[0]) is not None
    assert crypto.decrypt(Person.objects.first().id_encrypted) in numbers

    call_command("rotate_field_key")  # idempotent
    assert "0 rows remain" in capsys.readouterr().out


def test_rotation_stops_on_an_unknown_key(field_key):
    PersonFactory()
    field_key.FIELD_KEY = "workers-new-key"  # the old key was not configured
    with pytest.raises(CommandError, match="unknown key"):
        call_command("rotate_field_key")


def test_encrypted_field_refuses_plaintext():
    person = PersonFactory()
    person.id_encrypted = id_number_for(3)
    with pytest.raises(ValueError, match="crypto.encrypt"):
        person.save()


def test_rotation_killed_midway_leaves_every_id_readable_and_resumes(field_key, capsys, monkeypatch):
    from django.db.models.query import QuerySet

    numbers = [id_number_for(n) for n in range(1, 10)]
    for number in numbers:
        PersonFactory(id_number=number)
    old_id = crypto.current_key_id()
    # The new key is configured the documented way: the old one as a fallback.
    field_key.FIELD_KEY_FALLBACKS = ["workers-test-key"]
    field_key.FIELD_KEY = "workers-new-key"
    new_id = crypto.current_key_id()

    original = QuerySet.bulk_update
    calls = []

    def killed_on_the_second_batch(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the process killed between batches
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_update", killed_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_field_key", "--batch-size", "4")
    monkeypatch.setattr(QuerySet, "bulk_update", original)

    key_ids = [crypto.key_id_of(t) for t in Person.objects.order_by("pk").values_list("id_encrypted", flat=True)]
    assert key_ids.count(new_id) == 4 and key_ids.count(old_id) == 5  # the first batch only: half done
    # Half-way, every ID number still decrypts and is found by its number.
    for number in numbers:
        person = queries.find_person_by_id_number(number)
        assert person is not None and crypto.decrypt(person.id_encrypted) == number

    call_command("rotate_field_key", "--batch-size", "4")
    out = capsys.readouterr().out
    assert "workers.Person.id_encrypted: 5 rotated" in out  # rows already under the new key are skipped
    assert "0 rows remain under old keys." in out
    field_key.FIELD_KEY_FALLBACKS = []
    for number in numbers:
        person = queries.find_person_by_id_number(number)
        assert crypto.key_id_of(person.id_encrypted) == new_id and person.id_blind_index == crypto.blind_index(number)
