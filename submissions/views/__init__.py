"""Council pages for the annual return: template, upload, web entry, warnings and the lifecycle."""

from __future__ import annotations

from .entry import enter_service, explain_warning, remove_service
from .returns import return_detail, return_list, template_download
from .steps import accept, done, send_back, sign_off, submit
from .upload import upload, upload_confirm, upload_errors_csv
from .versions import version_compare, version_download, version_list

__all__ = [
    "accept",
    "done",
    "enter_service",
    "explain_warning",
    "remove_service",
    "return_detail",
    "return_list",
    "send_back",
    "sign_off",
    "submit",
    "template_download",
    "upload",
    "upload_confirm",
    "upload_errors_csv",
    "version_compare",
    "version_download",
    "version_list",
]
