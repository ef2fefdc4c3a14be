"""The test gateway's own pages, mounted at /<language>/payments/test-gateway/."""

from django.urls import path

from lumeire.payments import views

app_name = "payments"

urlpatterns = [
    path("card/", views.card_form, name="card_form"),
]
