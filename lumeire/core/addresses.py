"""The fields of a delivery address, as saved addresses and orders hold them.

One list for the apps that store, show, reveal and export addresses (checkout, orders, staff,
the storefront's forms), which sit on different layers: it lives in the leaf they all import.
"""

ADDRESS_FIELDS = (
    "full_name",
    "phone",
    "city",
    "district",
    "street",
    "building",
    "postal_code",
    "country",
)
