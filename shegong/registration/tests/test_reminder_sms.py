"""Expiry reminders go out by SMS through core.messaging by default."""


def test_registration_reminders_go_through_the_sms_sender(sms_outbox):
    from types import SimpleNamespace

    from shegong.registration import conf

    conf.reminder_sender()(SimpleNamespace(pk=1, phone="13800138000"), "您的登记将于90天后到期")
    assert [m.to for m in sms_outbox] == ["13800138000"]
