"""Storefront pages, served under a language prefix (/en/, /ar/)."""

from django.urls import path

from lumeire.storefront import views

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
]
