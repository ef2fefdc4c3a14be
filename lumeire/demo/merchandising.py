"""The demo home page: one hero and three banner tiles in both languages, with drawn pictures.

The pictures are gradients and simple shapes drawn with Pillow: no letters, no downloads, the
same every time. Loading twice changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from lumeire.catalog.models import Category
from lumeire.merchandising.models import Banner, Placement
from lumeire.merchandising.services import banner_save

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class DemoBanner:
    placement: str
    category_slug: str
    fallback_path: str
    headline: tuple[str, str]  # (English, Arabic)
    text: tuple[str, str]
    button: tuple[str, str]
    alt: tuple[str, str]
    colours: tuple[Colour, Colour, Colour]  # gradient from, gradient to, shapes
    size: tuple[int, int]


BANNERS = (
    DemoBanner(
        Placement.HERO,
        "perfume",
        "/search/?q=oud",
        ("Oud for the season", "عود لهذا الموسم"),
        (
            "Oils, bakhoor and perfumes chosen for cool evenings. Every price includes VAT.",
            "دهن العود والبخور والعطور مختارة للأمسيات الباردة. كل الأسعار تشمل الضريبة.",
        ),
        ("Shop perfume", "تسوّق العطور"),
        (
            "Warm amber light falling on round shapes, like incense smoke at dusk",
            "ضوء كهرماني دافئ على أشكال مستديرة، كدخان البخور عند الغروب",
        ),
        ((72, 36, 18), (196, 122, 52), (246, 214, 160)),
        (1600, 800),
    ),
    DemoBanner(
        Placement.TILE,
        "clothing",
        "/search/?q=abaya",
        ("New abayas and thobes", "عبايات وأثواب جديدة"),
        ("Light fabrics in sand, navy and olive.", "أقمشة خفيفة بألوان الرمل والكحلي والزيتي."),
        ("See clothing", "تصفّح الملابس"),
        ("Soft folds of sand and navy cloth", "طيات ناعمة من قماش بلون الرمل والكحلي"),
        ((32, 44, 78), (214, 196, 160), (250, 246, 236)),
        (800, 450),
    ),
    DemoBanner(
        Placement.TILE,
        "home",
        "/search/?q=lantern",
        ("Lanterns and coffee pots", "فوانيس ودلال قهوة"),
        ("Brass and steel for the majlis.", "نحاس وفولاذ لمجلسك."),
        ("See home", "تصفّح المنزل"),
        ("Brass circles glowing on a deep green wall", "دوائر نحاسية تتوهج على جدار أخضر داكن"),
        ((20, 60, 48), (92, 128, 84), (226, 176, 88)),
        (800, 450),
    ),
    DemoBanner(
        Placement.TILE,
        "electronics",
        "/search/?q=headphones",
        ("Sound for the road", "صوت يرافقك في الطريق"),
        ("Headphones, earbuds and speakers.", "سماعات رأس وسماعات أذن ومكبرات صوت."),
        ("See electronics", "تصفّح الإلكترونيات"),
        ("Rings of blue light spreading like sound waves", "حلقات من ضوء أزرق تنتشر كموجات الصوت"),
        ((14, 22, 48), (52, 92, 168), (150, 206, 255)),
        (800, 450),
    ),
)


def draw_banner_image(colours: tuple[Colour, Colour, Colour], size: tuple[int, int]) -> bytes:
    """A diagonal gradient with soft circles and rings: a picture without any letters."""
    start, end, shape = colours
    width, height = size
    down = Image.linear_gradient("L")
    mask = Image.blend(down, down.rotate(90), 0.5).resize(size)  # from one corner to the other
    image = Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    unit = min(width, height)
    for index, (x, y, radius) in enumerate(
        ((0.72, 0.5, 0.34), (0.86, 0.22, 0.16), (0.58, 0.86, 0.12), (0.2, 0.3, 0.08))
    ):
        cx, cy, r = x * width, y * height, radius * unit
        alpha = 150 - index * 25
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*shape, alpha))
    for step in range(1, 5):
        r = unit * (0.4 + step * 0.12)
        cx, cy = 0.72 * width, 0.5 * height
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(*shape, 70), width=3)
    picture = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def load_demo_banners() -> str:
    """The demo hero and banner tiles, unless the home page has banners already."""
    if Banner.objects.exists():
        return "home page banners already present"
    for position, spec in enumerate(BANNERS):
        category = Category.objects.filter(slug=spec.category_slug, is_active=True).first()
        banner = Banner(
            placement=spec.placement,
            position=position,
            headline_en=spec.headline[0],
            headline_ar=spec.headline[1],
            text_en=spec.text[0],
            text_ar=spec.text[1],
            button_en=spec.button[0],
            button_ar=spec.button[1],
            link_category=category,
            link_path="" if category else spec.fallback_path,
            alt_en=spec.alt[0],
            alt_ar=spec.alt[1],
        )
        banner.image = SimpleUploadedFile(
            "banner.png", draw_banner_image(spec.colours, spec.size), content_type="image/png"
        )
        banner_save(banner=banner)
    return f"{len(BANNERS)} home page banners created"
