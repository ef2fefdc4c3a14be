"""The invoice's QR code as a PNG: embedded in the PDF and, as a data: URI, in the page."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage


def qr_png(payload: str) -> bytes:
    """A black-on-white PNG with the four-module quiet zone that scanners need."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=6,
        border=4,
        image_factory=PilImage,
    )
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_png_data_uri(payload: str) -> str:
    """``data:image/png;base64,...``: no file to serve, allowed by the CSP's ``img-src data:``."""
    return "data:image/png;base64," + base64.b64encode(qr_png(payload)).decode("ascii")
