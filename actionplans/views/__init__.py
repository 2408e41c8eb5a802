"""Council pages for the action plan: overview, header, what we know, objectives, actions, targets,
sign-off, versions, roll forward, publishing, the printable layout and its exports, and the public
page. Quarterly progress pages are in `quarterly.py`, the analysts' view in `national.py`."""

from __future__ import annotations

from .common import XLSX, _add_error, _confirm, _file, _page, signed_document
from .objectives import (
    action_create,
    action_delete,
    action_edit,
    objective_create,
    objective_delete,
    objective_edit,
    target_create,
    target_delete,
)
from .plans import (
    header_edit,
    plan_create,
    plan_detail,
    plan_list,
    publish,
    roll_forward,
    send_for_sign_off,
    sent_for_sign_off,
    sign_off,
    signed_off,
    what_we_know_edit,
    withdraw,
)
from .versions import plan_download, plan_print, version_compare, version_detail, version_list

__all__ = [
    "XLSX",
    "_add_error",
    "_confirm",
    "_file",
    "_page",
    "action_create",
    "action_delete",
    "action_edit",
    "header_edit",
    "objective_create",
    "objective_delete",
    "objective_edit",
    "plan_create",
    "plan_detail",
    "plan_download",
    "plan_list",
    "plan_print",
    "publish",
    "roll_forward",
    "send_for_sign_off",
    "sent_for_sign_off",
    "sign_off",
    "signed_document",
    "signed_off",
    "target_create",
    "target_delete",
    "version_compare",
    "version_detail",
    "version_list",
    "what_we_know_edit",
    "withdraw",
]
