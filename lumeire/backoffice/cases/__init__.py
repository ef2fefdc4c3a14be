"""Irregular-activity cases in the back office: the list, the case page and every step on it.

Only compliance officers and legal counsel open these pages (``CASES_VIEW``; the Owner has it
not). The pages show no personal value: the subject is "a customer account" or "a network
address", events are references (where, when, what), and a value is seen in clear only through
a reveal from within the case, whose reason is the case itself. Each step is one
``lumeire.compliance.services`` call, which checks the role again, refuses moves outside the
case's table and writes the timeline and the audit log; a refusal is shown on the case page with
its status, never a 500.

``display`` is what the pages show, ``forms`` reads each step's form, ``views`` are the pages,
``urls`` their addresses. Who may take which step is ``lumeire.compliance.steps``.
"""
