"""Accounts: every value the policy lists is kept here, encrypted or hashed, never in clear."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from lumeire.accounts.recovery_questions import RecoveryQuestion
from lumeire.core.identity import IdentityType, parse_identity_number
from lumeire.vault.fields import BlindIndexField, EncryptedDateField, EncryptedTextField, is_erased
from lumeire.vault.inventory import Category, PersonalData, PolicyClause, Retention
from lumeire.vault.lifecycle import Erasure, OnErasure, Purge

UNTIL_CLOSED = Retention(after=_("until the account is deleted"))
OWNER_AND_SERVICE = frozenset({"owner", "customer_service"})


class AccountKind(models.TextChoices):
    """A customer account never becomes staff by a flag: the kind is fixed at creation."""

    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Staff")


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username_index: str) -> User:
        return self.get(username_index=username_index)


class User(AbstractBaseUser, PermissionsMixin):
    """Sign-in identity shared by customers and staff; the personal profile is on Customer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=AccountKind.choices, editable=False)
    username = EncryptedTextField()
    username_index = BlindIndexField(
        source="username", purpose="account.username", normalizer="text", unique=True
    )
    email = EncryptedTextField()
    email_index = BlindIndexField(
        source="email", purpose="account.email", normalizer="email", unique=True
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="en")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Raised to end every web session of the account at once (``end_every_sign_in``).
    sign_in_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username_index"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    personal_data = {
        "username": PersonalData(
            Category.CREDENTIAL,
            _("Sign in and greet you"),
            UNTIL_CLOSED,
            OWNER_AND_SERVICE,
            PolicyClause.LOGIN,
        ),
        "username_index": PersonalData(
            Category.CREDENTIAL,
            _("Find your account when you sign in"),
            UNTIL_CLOSED,
            policy_clause=PolicyClause.LOGIN,
        ),
        "email": PersonalData(
            Category.CONTACT,
            _("Sign in, recover your password and receive messages about your orders"),
            UNTIL_CLOSED,
            OWNER_AND_SERVICE,
            PolicyClause.LOGIN,
        ),
        "email_index": PersonalData(
            Category.CONTACT,
            _("Find your account by email without storing it in clear"),
            UNTIL_CLOSED,
            policy_clause=PolicyClause.LOGIN,
        ),
        "password": PersonalData(
            Category.CREDENTIAL,
            _("Check your password at sign-in (kept only as an Argon2id hash)"),
            UNTIL_CLOSED,
            policy_clause=PolicyClause.LOGIN,
        ),
    }

    not_personal = {
        "email_verified_at": "when the address was confirmed; a date, not the address",
        "password_changed_at": "when the password last changed; a date, not the password",
        "sign_in_generation": "a counter raised when every session ends; not the password",
    }
    # Orders point at the account, so it stays as an empty, inactive tombstone: its sealed
    # values die with the key, the blind indexes are cleared, and no password opens it.
    erasure = Erasure(
        OnErasure.ANONYMISE, subject="pk", blank={"password": "!", "is_active": False}
    )
    purges = ()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["customer", "staff"]), name="user_kind_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} account {self.pk}"

    @property
    def is_staff(self) -> bool:
        """Staff status follows the account kind alone (the back office adds two-factor)."""
        return self.kind == AccountKind.STAFF

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # A session stays signed in while this value is unchanged: it follows the password hash
        # and the sign-in generation, so raising the generation ends every session at once.
        # Generation 0 gives Django's own value, so sessions opened before it existed stay valid.
        if not self.sign_in_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "lumeire.accounts.User.session_auth_hash",
            f"{self.password}\x00{self.sign_in_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_username(self) -> str:
        # Used by Django for display; the clear username, or the erased marker.
        value = self.username
        return "" if value is None or is_erased(value) else str(value)


class Customer(models.Model):
    """What the policy's "First" section lists about a customer, all of it encrypted or hashed."""

    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, related_name="customer"
    )
    full_name = EncryptedTextField(subject_field="user_id")
    date_of_birth = EncryptedDateField(subject_field="user_id")
    identity_number = EncryptedTextField(subject_field="user_id")
    identity_index = BlindIndexField(
        source="identity_number",
        purpose="customer.identity_number",
        normalizer="digits",
        unique=True,
    )
    recovery_question = EncryptedTextField(subject_field="user_id")
    recovery_answer_hash = models.CharField(max_length=256, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = {
        "full_name": PersonalData(
            Category.IDENTITY,
            _("Address you and put the right name on your orders"),
            UNTIL_CLOSED,
            OWNER_AND_SERVICE,
            PolicyClause.PERSONAL,
        ),
        "date_of_birth": PersonalData(
            Category.IDENTITY,
            _("Derive your age for age-restricted products"),
            UNTIL_CLOSED,
            frozenset({"owner", "compliance_officer"}),
            PolicyClause.PERSONAL,
        ),
        "identity_number": PersonalData(
            Category.IDENTITY,
            _("Identify you as the law requires and prevent duplicate accounts"),
            UNTIL_CLOSED,
            frozenset({"owner", "compliance_officer"}),
            PolicyClause.PERSONAL,
        ),
        "identity_index": PersonalData(
            Category.IDENTITY,
            _(
                "Keep one account per national ID number or residence number (iqama), "
                "without storing it"
            ),
            UNTIL_CLOSED,
            policy_clause=PolicyClause.PERSONAL,
        ),
        "recovery_question": PersonalData(
            Category.CREDENTIAL,
            _("Ask you your recovery question after an emailed link"),
            UNTIL_CLOSED,
            policy_clause=PolicyClause.LOGIN,
        ),
        "recovery_answer_hash": PersonalData(
            Category.CREDENTIAL,
            _("Check your recovery answer (kept only as an Argon2id hash)"),
            UNTIL_CLOSED,
            policy_clause=PolicyClause.LOGIN,
        ),
    }
    erasure = Erasure(OnErasure.ANONYMISE, subject="user", blank={"recovery_answer_hash": ""})
    purges = ()

    def __str__(self) -> str:
        return f"customer {self.pk}"

    def age_on(self, day: date) -> int | None:
        """Whole years of age on ``day``; None when the date of birth is unknown or erased."""
        born = self.date_of_birth
        if born is None or is_erased(born):
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def identity_type(self) -> IdentityType | None:
        number = self.identity_number
        if not number or is_erased(number):
            return None
        return parse_identity_number(number).type

    @property
    def identity_number_masked(self) -> str:
        number = self.identity_number
        if not number or is_erased(number):
            return str(number or "")
        return parse_identity_number(number).masked

    @property
    def recovery_question_text(self) -> str:
        question = self.recovery_question
        if not question or is_erased(question):
            return str(question or "")
        return str(RecoveryQuestion(question).label)


class HashedToken(models.Model):
    """A secret handed to the customer once; only its SHA-256 is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        abstract = True

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ApiToken(HashedToken):
    """A bearer token for the API: random, hashed at rest, 30 days at most, revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = (
        Purge(
            "api_tokens",
            after=_("when it expires or is revoked"),
            period=timedelta(0),
            older_than=("expires_at", "revoked_at"),
        ),
    )

    def __str__(self) -> str:
        return f"API token {self.pk}"


class RecoveryToken(HashedToken):
    """The emailed one-time link of a password recovery: single use, short-lived."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_tokens")
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    wrong_answers = models.PositiveSmallIntegerField(default=0)

    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = (
        Purge(
            "recovery_tokens",
            after=_("when it expires"),
            period=timedelta(0),
            older_than=("expires_at",),
        ),
    )

    def __str__(self) -> str:
        return f"recovery token {self.pk}"


class EmailChange(HashedToken):
    """A new address waiting for its owner to confirm it from that mailbox."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = EncryptedTextField(subject_field="user_id")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    personal_data = {
        "new_email": PersonalData(
            Category.CONTACT,
            _("Confirm a new email address before it replaces the old one"),
            Retention(after=_("after it is confirmed or expires"), period=timedelta(days=1)),
            policy_clause=PolicyClause.LOGIN,
        ),
    }
    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = (
        Purge(
            "email_changes",
            after=_("after it is confirmed or expires"),
            period=timedelta(days=1),
            older_than=("expires_at", "confirmed_at"),
        ),
    )

    def __str__(self) -> str:
        return f"email change {self.pk}"


class SignInOutcome(models.TextChoices):
    SUCCESS = "success", _("Signed in")
    FAILURE = "failure", _("Wrong login or password")
    LOCKED_OUT = "locked_out", _("Refused: too many failures")
    TWO_FACTOR_FAILURE = "two_factor_failure", _("Wrong two-factor code")
    RECOVERY_ANSWER_FAILURE = "recovery_answer_failure", _("Wrong recovery answer")


class SignInEvent(models.Model):
    """One sign-in attempt, for the customer's security page and later compliance checks.

    Holds no login string or address in clear: ``login_ref`` and ``client_ref`` are keyed hashes.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="sign_in_events"
    )
    outcome = models.CharField(max_length=32, choices=SignInOutcome.choices)
    login_ref = models.CharField(max_length=64, blank=True, db_index=True)
    client_ref = models.CharField(max_length=64, blank=True, db_index=True)
    channel = models.CharField(max_length=8, default="web")

    personal_data = {
        "login_ref": PersonalData(
            Category.BEHAVIOURAL,
            _("Detect password guessing against an account"),
            Retention(after=_("after the attempt"), period=timedelta(days=180)),
            frozenset({"compliance_officer"}),
            PolicyClause.DEALINGS,
        ),
        "client_ref": PersonalData(
            Category.BEHAVIOURAL,
            _("Detect password guessing from one network address"),
            Retention(after=_("after the attempt"), period=timedelta(days=180)),
            frozenset({"compliance_officer"}),
            PolicyClause.DEALINGS,
        ),
    }
    # Keyed hashes of their login could still single the person out.
    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = (
        Purge(
            "sign_in_events",
            after=_("after the attempt"),
            period=timedelta(days=180),
            older_than=("at",),
        ),
    )

    def __str__(self) -> str:
        return f"sign-in {self.outcome} at {self.at:%Y-%m-%d %H:%M}"


class SignupConflictKind(models.TextChoices):
    EMAIL = "email", _("Email already registered")
    IDENTITY_NUMBER = (
        "identity_number",
        _("National ID or residence number (iqama) already registered"),
    )


class SignupConflict(models.Model):
    """A sign-up that named an email or identity number another account holds (references only)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=32, choices=SignupConflictKind.choices)
    existing_user = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="signup_conflicts"
    )
    index_ref = models.CharField(max_length=64, db_index=True)
    client_ref = models.CharField(max_length=64, blank=True)

    personal_data = {
        "index_ref": PersonalData(
            Category.IDENTITY,
            _("Notice one national ID number or residence number (iqama) behind several sign-ups"),
            Retention(after=_("after the attempt"), period=timedelta(days=365)),
            frozenset({"compliance_officer"}),
            PolicyClause.DEALINGS,
        ),
        "client_ref": PersonalData(
            Category.BEHAVIOURAL,
            _("Notice repeated sign-up attempts from one network address"),
            Retention(after=_("after the attempt"), period=timedelta(days=365)),
            frozenset({"compliance_officer"}),
            PolicyClause.DEALINGS,
        ),
    }
    # A keyed hash of their identity number could still single the person out.
    erasure = Erasure(OnErasure.DELETE, subject="existing_user")
    purges = (
        Purge(
            "sign_up_conflicts",
            after=_("after the attempt"),
            period=timedelta(days=365),
            older_than=("at",),
        ),
    )

    def __str__(self) -> str:
        return f"sign-up conflict ({self.kind})"


class TwoFactorDevice(models.Model):
    """A customer's authenticator app: a TOTP secret, encrypted, confirmed by a first code."""

    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, related_name="two_factor"
    )
    secret = EncryptedTextField(subject_field="user_id")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    personal_data = {
        "secret": PersonalData(
            Category.CREDENTIAL,
            _("Check the codes of your authenticator app"),
            UNTIL_CLOSED,
            policy_clause=PolicyClause.LOGIN,
        ),
    }
    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = ()

    def __str__(self) -> str:
        return f"two-factor device of {self.pk}"


class TwoFactorRecoveryCode(models.Model):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="two_factor_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = ()

    def __str__(self) -> str:
        return f"two-factor recovery code {self.pk}"


SIGN_UP_LINK_LIFETIME = timedelta(hours=24)
IDENTITY_NUMBER_LINK_LIFETIME = timedelta(hours=24)
_UNTIL_SIGN_UP_LINK = Retention(
    after=_("until the sign-up link is opened, or 24 hours when it is not"),
    period=SIGN_UP_LINK_LIFETIME,
)


class PendingSignUp(HashedToken):
    """A sign-up waiting for its emailed link: the account opens only from that mailbox.

    Until then nothing tells anyone whether the email, username or identity number is taken.
    The values are sealed under the key of the account they will become (``account_id``); the
    row is deleted when the account opens, and purged when the link expires.
    """

    account_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    username = EncryptedTextField(subject_field="account_id")
    email = EncryptedTextField(subject_field="account_id")
    full_name = EncryptedTextField(subject_field="account_id")
    date_of_birth = EncryptedDateField(subject_field="account_id")
    identity_number = EncryptedTextField(subject_field="account_id")
    recovery_question = EncryptedTextField(subject_field="account_id")
    password_hash = models.CharField(max_length=256, editable=False)
    recovery_answer_hash = models.CharField(max_length=256, editable=False)
    language = models.CharField(max_length=8, default="en")
    accepted_policy_version = models.PositiveIntegerField()
    client_ref = models.CharField(max_length=64, blank=True)

    personal_data = {
        name: PersonalData(category, purpose, _UNTIL_SIGN_UP_LINK, policy_clause=clause)
        for name, category, purpose, clause in (
            (
                "username",
                Category.CREDENTIAL,
                _("Open the account under the username you chose, from the emailed link"),
                PolicyClause.LOGIN,
            ),
            (
                "email",
                Category.CONTACT,
                _("Send the sign-up link and open the account with this address"),
                PolicyClause.LOGIN,
            ),
            (
                "full_name",
                Category.IDENTITY,
                _("Open the account you asked for once you open the emailed link"),
                PolicyClause.PERSONAL,
            ),
            (
                "date_of_birth",
                Category.IDENTITY,
                _("Open the account you asked for once you open the emailed link"),
                PolicyClause.PERSONAL,
            ),
            (
                "identity_number",
                Category.IDENTITY,
                _("Open the account you asked for once you open the emailed link"),
                PolicyClause.PERSONAL,
            ),
            (
                "recovery_question",
                Category.CREDENTIAL,
                _("Open the account with the recovery question you chose"),
                PolicyClause.LOGIN,
            ),
            (
                "password_hash",
                Category.CREDENTIAL,
                _("Open the account with your password (kept only as an Argon2id hash)"),
                PolicyClause.LOGIN,
            ),
            (
                "recovery_answer_hash",
                Category.CREDENTIAL,
                _("Open the account with your recovery answer (kept only as an Argon2id hash)"),
                PolicyClause.LOGIN,
            ),
            (
                "client_ref",
                Category.BEHAVIOURAL,
                _("Notice repeated sign-up attempts from one network address"),
                PolicyClause.DEALINGS,
            ),
        )
    }
    not_personal = {"language": "the language of the sign-up page, not a person's value"}

    # No account exists yet to erase; the row goes when the account opens or the link expires.
    erasure = Erasure(
        OnErasure.RETAIN,
        reason=_("Belongs to no account yet; deleted when the link is used or expires"),
    )
    purges = (
        Purge(
            "pending_sign_ups",
            after=_("when the sign-up link expires"),
            period=timedelta(0),
            older_than=("expires_at",),
        ),
    )

    def __str__(self) -> str:
        return f"pending sign-up {self.pk}"


class IdentityNumberChange(HashedToken):
    """A new identity number waiting for the account owner to confirm it from their mailbox."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_number_changes")
    new_identity_number = EncryptedTextField(subject_field="user_id")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    personal_data = {
        "new_identity_number": PersonalData(
            Category.IDENTITY,
            _(
                "Confirm a new national ID number or residence number (iqama) before it "
                "replaces the old one"
            ),
            Retention(
                after=_("until it is confirmed, or 24 hours when it is not"),
                period=IDENTITY_NUMBER_LINK_LIFETIME,
            ),
            policy_clause=PolicyClause.PERSONAL,
        ),
    }
    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = (
        Purge(
            "identity_number_changes",
            after=_("when its link is used or expires"),
            period=timedelta(0),
            older_than=("expires_at", "confirmed_at"),
        ),
    )

    def __str__(self) -> str:
        return f"identity number change {self.pk}"


class TakenDetailKind(models.TextChoices):
    SIGN_UP_EMAIL = "sign_up_email", _("Sign-up with a registered email")
    SIGN_UP_USERNAME = "sign_up_username", _("Sign-up with a taken username")
    SIGN_UP_IDENTITY_NUMBER = (
        "sign_up_identity_number",
        _("Sign-up with a registered national ID or residence number (iqama)"),
    )
    EMAIL_CHANGE = "email_change", _("Email change to a registered email")
    IDENTITY_NUMBER_CHANGE = (
        "identity_number_change",
        _("Change of national ID or residence number (iqama) to a registered one"),
    )
    USERNAME_CHANGE = "username_change", _("Username change to a taken username")


class TakenDetailsAttempt(models.Model):
    """A sign-up or change that named an email, username or identity number another account
    holds: who asked (an account, or a client address's keyed hash), never the value.

    Repeated attempts from one client or account are probing for who is a customer; the
    ``details_probing`` detection rule reads this table.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=32, choices=TakenDetailKind.choices)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_ref = models.CharField(max_length=64, blank=True, db_index=True)

    personal_data = {
        "client_ref": PersonalData(
            Category.BEHAVIOURAL,
            _("Notice repeated attempts to learn whether details belong to an account"),
            Retention(after=_("after the attempt"), period=timedelta(days=180)),
            frozenset({"compliance_officer"}),
            PolicyClause.DEALINGS,
        ),
    }
    erasure = Erasure(OnErasure.DELETE, subject="requested_by")
    purges = (
        Purge(
            "taken_details_attempts",
            after=_("after the attempt"),
            period=timedelta(days=180),
            older_than=("at",),
        ),
    )

    def __str__(self) -> str:
        return f"taken details attempt ({self.kind})"
