"""LUMEIRE_STORAGE_URL: empty keeps this machine's folders, an s3:// address one shared bucket,
and anything else stops start-up with a message naming the setting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.storage_url import storages_from_url

BUCKET = "s3://lumeire-files?endpoint_url=http://127.0.0.1:9000&region=us-east-1"


def test_an_empty_url_keeps_the_local_folders():
    storages = storages_from_url("")

    assert storages["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storages["exports"]["OPTIONS"]["setting"] == "LUMEIRE_EXPORTS_DIR"
    assert storages["audit_archive"]["OPTIONS"]["setting"] == "LUMEIRE_AUDIT_ARCHIVE_DIR"
    assert storages["audit_anchors"]["OPTIONS"]["setting"] == "LUMEIRE_AUDIT_ANCHOR_DIR"
    assert storages_from_url(None) == storages_from_url("  ") == storages
    assert "staticfiles" not in storages


def test_a_bucket_url_gives_each_kind_of_file_its_own_private_folder():
    storages = storages_from_url(BUCKET + "&prefix=/shop/eu/", access_key="a", secret_key="b")

    assert storages["default"]["BACKEND"].endswith("MediaBucketStorage")
    assert storages["exports"]["BACKEND"].endswith("PrivateBucketStorage")
    assert storages["audit_archive"]["BACKEND"].endswith("PrivateBucketStorage")
    locations = {name: entry["OPTIONS"]["location"] for name, entry in storages.items()}
    assert locations == {
        "default": "shop/eu/media",
        "exports": "shop/eu/exports",
        "audit_archive": "shop/eu/audit-archive",
        "audit_anchors": "shop/eu/audit-anchors",
    }
    options = storages["exports"]["OPTIONS"]
    assert options["bucket_name"] == "lumeire-files"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["region_name"] == "us-east-1"
    assert options["signature_version"] == "s3v4"
    assert options["addressing_style"] == "path"  # a loopback host has no bucket subdomains
    assert options["default_acl"] is None
    assert (options["access_key"], options["secret_key"]) == ("a", "b")


def test_a_public_endpoint_keeps_the_default_addressing_and_keys_come_from_the_host():
    options = storages_from_url("s3://shop-files?endpoint_url=https://s3.example.net&region=eu")[
        "default"
    ]["OPTIONS"]

    assert options["addressing_style"] is None
    assert "access_key" not in options and "secret_key" not in options
    assert options["location"] == "media"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://bucket.example.net/", "must start with s3://"),
        ("s3://", "names no valid bucket"),
        ("s3://Upper_Case", "names no valid bucket"),
        ("s3://files/some/path", "has a path or fragment"),
        ("s3://files?endpoint=http://127.0.0.1", "unknown options: endpoint"),
        ("s3://files?endpoint_url=ftp://127.0.0.1", "not an http(s) address"),
        ("s3://files?endpoint_url=http://user:pw@127.0.0.1", "credentials"),
        ("s3://files?prefix=shop/../other", "unusable folder name"),
        ("s3://files?addressing_style=sideways", "addressing_style"),
    ],
)
def test_a_malformed_url_stops_start_up_naming_the_setting(url, says):
    with pytest.raises(ImproperlyConfigured, match="LUMEIRE_STORAGE_URL") as refused:
        storages_from_url(url)
    assert says in str(refused.value)
