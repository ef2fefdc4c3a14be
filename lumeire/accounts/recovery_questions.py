"""The fixed list of recovery questions. None asks for what the store already holds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecoveryQuestion(models.TextChoices):
    """Questions whose answers are not in the store's data and are hard to look up."""

    FIRST_SCHOOL = "first_school", _("What was the name of your first school?")
    CHILDHOOD_FRIEND = (
        "childhood_friend",
        _("What was the first name of your best childhood friend?"),
    )
    FIRST_TEACHER = "first_teacher", _("What was the name of your favourite teacher?")
    FIRST_PET = "first_pet", _("What was the name of your first pet?")
    CHILDHOOD_STREET = "childhood_street", _("What was the name of the street you grew up on?")
    FAVOURITE_BOOK = "favourite_book", _("What is the title of a book you loved as a child?")
    FIRST_JOB_TOWN = "first_job_town", _("In which town did you have your first job?")
    DREAM_CITY = "dream_city", _("Which city did you dream of visiting as a child?")
    GRANDPARENT_TOWN = "grandparent_town", _("In which town was your grandmother born?")
    FIRST_CAR = "first_car", _("What was the make of the first car in your family?")
