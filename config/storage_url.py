"""Where the store keeps its files, from one setting: ``LUMEIRE_STORAGE_URL``.

Empty: folders under ``var/`` on this machine, as a single node needs (photos in MEDIA_ROOT;
exports, audit archives and anchors in their own 0700 folders, outside MEDIA_ROOT and never
behind a URL). Set, every node shares one S3-compatible bucket::

    s3://BUCKET?endpoint_url=http://127.0.0.1:9000&region=us-east-1&prefix=shop

Each kind of file lives under its own folder of the bucket (``<prefix>/media``,
``<prefix>/exports``, ``<prefix>/audit-archive``, ``<prefix>/audit-anchors``). Access keys come
from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the host's own AWS credentials when those
are unset). Objects are private: photos are streamed by the store's media view; exports,
archives and anchors are read only by the store, sealed or signed as they are on disk.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ImproperlyConfigured

# The storages the store itself names (``django.core.files.storage.storages[...]``).
STORAGE_NAMES = ("default", "exports", "audit_archive", "audit_anchors")
FOLDERS = {
    "default": "media",
    "exports": "exports",
    "audit_archive": "audit-archive",
    "audit_anchors": "audit-anchors",
}
LOCAL = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "exports": {
        "BACKEND": "lumeire.core.storage_backends.PrivateFolderStorage",
        "OPTIONS": {"setting": "LUMEIRE_EXPORTS_DIR", "folder": "exports"},
    },
    "audit_archive": {
        "BACKEND": "lumeire.core.storage_backends.PrivateFolderStorage",
        "OPTIONS": {"setting": "LUMEIRE_AUDIT_ARCHIVE_DIR", "folder": "audit-archive"},
    },
    "audit_anchors": {
        "BACKEND": "lumeire.core.storage_backends.PrivateFolderStorage",
        "OPTIONS": {"setting": "LUMEIRE_AUDIT_ANCHOR_DIR", "folder": "audit-anchors"},
    },
}
BACKENDS = {
    "default": "lumeire.core.storage_backends.MediaBucketStorage",
    "exports": "lumeire.core.storage_backends.PrivateBucketStorage",
    "audit_archive": "lumeire.core.storage_backends.PrivateBucketStorage",
    "audit_anchors": "lumeire.core.storage_backends.PrivateBucketStorage",
}
_KNOWN = {"endpoint_url", "region", "prefix", "addressing_style"}
# S3's own rule for bucket names (the dotted, virtual-host-unsafe ones are allowed by it too).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX_PART = re.compile(r"^[A-Za-z0-9._-]+$")


def _fail(why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"LUMEIRE_STORAGE_URL {why}. Expected s3://BUCKET?endpoint_url=https://HOST&"
        "region=REGION (optional prefix=FOLDER), or empty for folders under var/."
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _endpoint(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(f"has an endpoint_url that is not an http(s) address: {value!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise _fail("has an endpoint_url with a query, fragment or credentials")
    return value.rstrip("/")


def _prefix(value: str) -> str:
    parts = [part for part in value.strip("/").split("/") if part]
    for part in parts:
        if part in (".", "..") or not _PREFIX_PART.match(part):
            raise _fail(f"has a prefix with an unusable folder name: {part!r}")
    return "/".join(parts)


def storages_from_url(
    url: str | None, *, access_key: str | None = None, secret_key: str | None = None
) -> dict[str, dict]:
    """The STORAGES entries "default", "exports", "audit_archive" and "audit_anchors".

    ``staticfiles`` is not among them: static files ship with each release on every node.
    """
    url = (url or "").strip()
    if not url:
        return {name: {**entry} for name, entry in LOCAL.items()}
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise _fail(f"must start with s3://, not {parts.scheme or 'nothing'}://")
    bucket = parts.netloc
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise _fail(f"names no valid bucket ({bucket!r})")
    if parts.path not in ("", "/") or parts.fragment:
        raise _fail("has a path or fragment; put a folder in prefix=")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(query) - _KNOWN)
    if unknown:
        raise _fail(f"has unknown options: {', '.join(unknown)}")
    endpoint = _endpoint(query["endpoint_url"]) if query.get("endpoint_url") else None
    style = query.get("addressing_style") or (
        "path" if endpoint and _is_loopback(urlsplit(endpoint).hostname or "") else None
    )
    if style not in (None, "path", "virtual", "auto"):
        raise _fail(f"has addressing_style={style!r}; use path, virtual or auto")
    prefix = _prefix(query.get("prefix", ""))
    common: dict[str, object] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": query.get("region") or None,
        "signature_version": "s3v4",
        "addressing_style": style,
        # Objects stay private; the bucket's own policy decides nothing is public.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,  # names are unique already (content hashes, ids, sequences)
    }
    if access_key and secret_key:
        common["access_key"] = access_key
        common["secret_key"] = secret_key
    return {
        name: {
            "BACKEND": BACKENDS[name],
            "OPTIONS": {
                **common,
                "location": f"{prefix}/{FOLDERS[name]}" if prefix else FOLDERS[name],
            },
        }
        for name in STORAGE_NAMES
    }
