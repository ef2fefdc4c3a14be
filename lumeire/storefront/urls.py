"""Storefront pages, served under a language prefix (/en/, /ar/).

No address carries a personal value; the only secrets in a path are the emailed links, which
their views move into the session at once.
"""

from django.urls import path

from lumeire.storefront import (
    views,
    views_access_log,
    views_account,
    views_account_links,
    views_addresses,
    views_cart,
    views_catalogue,
    views_checkout,
    views_consent,
    views_erasure,
    views_exports,
    views_guest,
    views_orders,
    views_policy,
    views_recovery,
    views_sign_in,
    views_two_factor,
)

app_name = "storefront"

urlpatterns = [
    path("", views_catalogue.home, name="home"),
    # The shop.
    path("c/<slug:slug>/", views_catalogue.category, name="category"),
    path("p/<slug:slug>/", views_catalogue.product, name="product"),
    path("search/", views_catalogue.search, name="search"),
    path("cart/", views_cart.cart, name="cart"),
    path("cart/lines/<int:line_id>/", views_cart.cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:line_id>/remove/", views_cart.cart_line_remove, name="cart_line_remove"),
    # Checkout: one page per step, then the POST that places the order.
    path("checkout/", views_checkout.checkout, name="checkout"),
    path("checkout/guest/", views_checkout.checkout_guest, name="checkout_guest"),
    path("checkout/address/", views_checkout.checkout_address, name="checkout_address"),
    path("checkout/delivery/", views_checkout.checkout_delivery, name="checkout_delivery"),
    path("checkout/review/", views_checkout.checkout_review, name="checkout_review"),
    path("checkout/payment/", views_checkout.checkout_payment, name="checkout_payment"),
    path("checkout/place/", views_checkout.checkout_place, name="checkout_place"),
    path("orders/<str:number>/placed/", views_checkout.order_placed, name="order_placed"),
    # A guest's order: the emailed link, then pages whose address carries no secret.
    path("orders/find/", views_guest.find_order, name="find_order"),
    path(
        "orders/<str:number>/link/<slug:token>/",
        views_guest.guest_order_open,
        name="guest_order_open",
    ),
    path("orders/<str:number>/guest/", views_guest.guest_order, name="guest_order"),
    path(
        "orders/<str:number>/guest/cancel/",
        views_guest.guest_order_cancel,
        name="guest_order_cancel",
    ),
    path(
        "orders/<str:number>/guest/invoice/",
        views_guest.guest_order_invoice,
        name="guest_order_invoice",
    ),
    path(
        "orders/<str:number>/guest/invoice.pdf",
        views_guest.guest_order_invoice_pdf,
        name="guest_order_invoice_pdf",
    ),
    path(
        "orders/<str:number>/guest/credit-note/",
        views_guest.guest_order_credit_note,
        name="guest_order_credit_note",
    ),
    path(
        "orders/<str:number>/guest/credit-note.pdf",
        views_guest.guest_order_credit_note_pdf,
        name="guest_order_credit_note_pdf",
    ),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/v<int:version>/", views.privacy, name="privacy_version"),
    path("privacy/accept/", views_policy.policy_accept_page, name="policy_accept"),
    path("privacy/cookies/", views_consent.consent, name="consent"),
    # Opening an account and signing in.
    path("account/sign-up/", views_sign_in.sign_up, name="sign_up"),
    path("account/sign-up/check-email/", views_sign_in.sign_up_done, name="sign_up_done"),
    path("account/sign-up/open/", views_account_links.sign_up_open, name="sign_up_open"),
    path(
        "account/sign-up/open/<slug:token>/",
        views_account_links.sign_up_link,
        name="sign_up_link",
    ),
    path("account/sign-in/", views_sign_in.sign_in, name="sign_in"),
    path("account/sign-out/", views_sign_in.sign_out, name="sign_out"),
    path("account/confirm-password/", views_sign_in.confirm_password, name="confirm_password"),
    # Links that arrive by email (the fixed addresses come before the ones with a secret).
    path("account/forgot/", views_recovery.forgot_password, name="forgot_password"),
    path("account/forgot/sent/", views_recovery.forgot_password_sent, name="forgot_password_sent"),
    path(
        "account/recover/set-password/",
        views_recovery.recover_set_password,
        name="recover_set_password",
    ),
    path("account/recover/<slug:token>/", views_recovery.recovery_link, name="recover"),
    path("account/email/confirm/", views_recovery.email_confirm, name="email_confirm"),
    path(
        "account/email/confirm/<slug:token>/",
        views_recovery.email_confirmation_link,
        name="email_confirm_link",
    ),
    # Delete my account (the fixed address comes before the one with a secret).
    path("account/delete/", views_erasure.erasure_request_page, name="erasure_request"),
    path("account/delete/confirm/", views_erasure.erasure_confirm_page, name="erasure_confirm"),
    path(
        "account/delete/confirm/<slug:token>/",
        views_erasure.erasure_confirmation_link,
        name="erasure_confirm_link",
    ),
    # My account.
    path("account/", views_account.account, name="account"),
    path("account/orders/", views_orders.order_list, name="orders"),
    path("account/orders/<str:number>/", views_orders.order_detail, name="order"),
    path("account/orders/<str:number>/cancel/", views_orders.order_cancel, name="order_cancel"),
    path("account/orders/<str:number>/invoice/", views_orders.order_invoice, name="order_invoice"),
    path(
        "account/orders/<str:number>/credit-note/",
        views_orders.order_credit_note,
        name="order_credit_note",
    ),
    path(
        "account/orders/<str:number>/credit-note.pdf",
        views_orders.order_credit_note_pdf,
        name="order_credit_note_pdf",
    ),
    path(
        "account/orders/<str:number>/invoice.pdf",
        views_orders.order_invoice_pdf,
        name="order_invoice_pdf",
    ),
    path("account/access-log/", views_access_log.access_log, name="access_log"),
    path("account/my-data/", views_exports.exports, name="exports"),
    path(
        "account/my-data/<uuid:export_id>/download/",
        views_exports.export_file,
        name="export_file",
    ),
    path("account/profile/", views_account.profile_change, name="profile_change"),
    path("account/email/", views_account.email_change, name="email_change"),
    path("account/password/", views_account.password_change_page, name="password_change"),
    path(
        "account/recovery-question/",
        views_account.recovery_question_change_page,
        name="recovery_question_change",
    ),
    path(
        "account/identity-number/",
        views_account.identity_number_change_page,
        name="identity_number_change",
    ),
    path(
        "account/identity-number/confirm/",
        views_account_links.identity_number_confirm,
        name="identity_number_confirm",
    ),
    path(
        "account/identity-number/confirm/<slug:token>/",
        views_account_links.identity_number_link,
        name="identity_number_confirm_link",
    ),
    path("account/username/", views_account.username_change_page, name="username_change"),
    path("account/language/", views_account.language_change_page, name="language_change"),
    path("account/addresses/", views_addresses.addresses, name="addresses"),
    path(
        "account/addresses/<uuid:address_id>/",
        views_addresses.address_change,
        name="address_change",
    ),
    path(
        "account/addresses/<uuid:address_id>/remove/",
        views_addresses.address_remove,
        name="address_remove",
    ),
    path("account/tokens/revoke/", views_account.api_token_revoke_page, name="api_token_revoke"),
    path("account/two-factor/", views_two_factor.two_factor, name="two_factor"),
    path("account/two-factor/enrol/", views_two_factor.two_factor_enrol, name="two_factor_enrol"),
    path(
        "account/two-factor/confirm/",
        views_two_factor.two_factor_confirm_page,
        name="two_factor_confirm",
    ),
    path(
        "account/two-factor/disable/",
        views_two_factor.two_factor_disable_page,
        name="two_factor_disable",
    ),
]
