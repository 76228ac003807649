"""Factories shared by every app's tests: one named user per role and level where needed."""

import factory

from shegong.accounts.models import User
from shegong.accounts.roles import Role

PASSWORD = "Test#Passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.ADMIN
    region_id = "440106"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def official(code, role=Role.ADMIN, **kwargs):
    return UserFactory(role=role, region_id=code, **kwargs)
