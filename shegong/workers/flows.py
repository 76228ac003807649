"""The review flows of the workers app: the transfer of a person to another region (issue 11 item 9).

The request is filed by an administrator of the receiving side; the releasing county approves first
(step "release"), then the receiving county (step "receive", acted on by that county: ``Step.unit``);
on final approval the person's work region moves (``services.on_transfer_approved``).
"""

from django.utils.translation import gettext_lazy as _

from shegong.core import workflow as wf

from . import services


def detail_context(application, request):
    return {"transfer": application.data}


def make_flow():
    return wf.Flow(
        key=services.TRANSFER_FLOW,
        title=_("Transfer to another region"),
        steps=(
            wf.Step("release", _("Release by the current region"), level=wf.COUNTY),
            wf.Step("receive", _("Acceptance by the receiving region"), unit=services.transfer_destination),
        ),
        on_approved=services.on_transfer_approved,
        detail_template="workers/_transfer_application.html",
        detail_context=detail_context,
    )


def register():
    wf.register_flow(make_flow())
