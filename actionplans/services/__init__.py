"""Writes to action plans, and every transition. The rules live here, so pages, API and tasks agree.

Who may do what (Membership roles):

- programme lead: starts, edits and rolls forward the plan (header, what we know, objectives,
  actions, targets), enters action updates and submits quarterly reports; publishes and withdraws.
- staff voice lead: edits the plan's staff voice summary and enters action updates, because they
  bring staff networks' views into the plan and its progress; never signs off or submits.
- senior sponsor: signs off the plan and quarterly reports (declaration, name, role, date); may
  publish and withdraw the signed-off plan.
- viewer, and national staff: read only.

Plan: draft --sign off (sponsor)--> signed off. Any change after a sign-off marks the plan "changed
since sign-off" until the sponsor signs it off again; each sign-off writes a new, immutable
`PlanVersion`. Quarterly report: draft --submit (lead; every action updated)--> submitted --sign off
(sponsor)--> signed off, after which its updates never change; the sponsor may return a submitted
report to draft.
"""

from .plans import (
    action_create,
    action_delete,
    action_update,
    header_state,
    objective_create,
    objective_delete,
    objective_state,
    objective_update,
    parse_plan_sign_off_state,
    plan_create,
    plan_publish,
    plan_roll_forward,
    plan_send_for_sign_off,
    plan_sign_off,
    plan_sign_off_state,
    plan_state,
    plan_update,
    plan_withdraw,
    sign_off_blockers,
    what_we_know_state,
    what_we_know_update,
)
from .progress import (
    missing_updates,
    parse_report_api_state,
    reminders_send,
    report_api_state,
    report_get_or_create,
    report_send_back,
    report_sign_off,
    report_state,
    report_submit,
    update_save,
)
from .targets import (
    target_create,
    target_delete,
    target_evaluate,
    target_update,
    targets_evaluate,
    targets_evaluate_for_version,
    targets_evaluate_for_versions,
)

__all__ = [
    "action_create",
    "action_delete",
    "action_update",
    "header_state",
    "missing_updates",
    "objective_create",
    "objective_delete",
    "objective_state",
    "objective_update",
    "parse_plan_sign_off_state",
    "parse_report_api_state",
    "plan_create",
    "plan_publish",
    "plan_roll_forward",
    "plan_send_for_sign_off",
    "plan_sign_off",
    "plan_sign_off_state",
    "plan_state",
    "plan_update",
    "plan_withdraw",
    "reminders_send",
    "report_api_state",
    "report_get_or_create",
    "report_send_back",
    "report_sign_off",
    "report_state",
    "report_submit",
    "sign_off_blockers",
    "target_create",
    "target_delete",
    "target_evaluate",
    "target_update",
    "targets_evaluate",
    "targets_evaluate_for_version",
    "targets_evaluate_for_versions",
    "update_save",
    "what_we_know_state",
    "what_we_know_update",
]
