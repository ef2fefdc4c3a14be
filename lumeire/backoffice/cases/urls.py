"""The addresses of the case pages, under /backoffice/compliance/case/."""

from django.urls import path

from lumeire.backoffice.cases import views

CASE = "compliance/case/<path:object_id>/"

urlpatterns = [
    path("compliance/case/", views.case_list, name="backoffice_cases"),
    path(CASE + "note/", views.case_note, name="backoffice_case_note"),
    path(CASE + "move/", views.case_move, name="backoffice_case_move"),
    path(CASE + "assign/", views.case_assign, name="backoffice_case_assign"),
    path(CASE + "legal/request/", views.case_legal_request, name="backoffice_case_legal_request"),
    path(
        CASE + "legal/decision/", views.case_legal_decision, name="backoffice_case_legal_decision"
    ),
    path(CASE + "report/", views.case_report, name="backoffice_case_report"),
    path(
        CASE + "report/download/",
        views.case_report_download,
        name="backoffice_case_report_download",
    ),
    path(CASE + "reported/", views.case_reported, name="backoffice_case_reported"),
    path(CASE + "action/", views.case_action, name="backoffice_case_action"),
    path(
        CASE + "action/reverse/", views.case_action_reverse, name="backoffice_case_action_reverse"
    ),
    path(CASE + "reveal/", views.case_reveal, name="backoffice_case_reveal"),
    # Last: <path:> would also match the steps' addresses above.
    path(CASE, views.case_page, name="backoffice_case"),
]
