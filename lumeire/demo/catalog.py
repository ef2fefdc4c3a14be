"""A demo catalogue that looks like a real shop: bilingual names, drawn images, stock, prices.

Everything is generated here (no downloads): names from bilingual word lists, product photos
drawn with Pillow. The same seed always gives the same store, so loading twice changes nothing.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from lumeire.catalog.models import Category, Product, ProductImage, Variant
from lumeire.catalog.services import catalog_changed, category_save, product_image_add
from lumeire.core.money import gross_price
from lumeire.demo.pictures import CATEGORY_DRAWINGS, draw_picture, drawing_for
from lumeire.demo.search import load_demo_search

SEED = 20261125
IMAGE_POOL = 320  # drawn images; a larger catalogue reuses them


@dataclass(frozen=True)
class Shelf:
    """A leaf category and what it sells: (English noun, Arabic noun), price range, options."""

    path: tuple[tuple[str, str, str], ...]  # (slug, English name, Arabic name) from the top
    nouns: tuple[tuple[str, str], ...]
    price_range: tuple[int, int]
    options: dict[str, tuple[str, ...]]
    min_age: int | None = None


SIZES = ("S", "M", "L", "XL")
COLOURS = ("black", "white", "sand", "navy", "olive")

SHELVES: tuple[Shelf, ...] = (
    Shelf(
        (
            ("clothing", "Clothing", "ملابس"),
            ("women", "Women", "نساء"),
            ("dresses", "Dresses", "فساتين"),
        ),
        (("dress", "فستان"), ("abaya", "عباية"), ("kaftan", "قفطان")),
        (150, 900),
        {"size": SIZES, "colour": COLOURS},
    ),
    Shelf(
        (("clothing", "Clothing", "ملابس"), ("men", "Men", "رجال"), ("thobes", "Thobes", "أثواب")),
        (("thobe", "ثوب"), ("shirt", "قميص"), ("bisht", "بشت")),
        (120, 1500),
        {"size": SIZES, "colour": COLOURS},
    ),
    Shelf(
        (("perfume", "Perfume", "عطور"), ("oud", "Oud", "عود")),
        (("oud oil", "دهن عود"), ("bakhoor", "بخور"), ("oud perfume", "عطر عود")),
        (90, 1200),
        {"volume": ("50 ml", "100 ml")},
    ),
    Shelf(
        (("perfume", "Perfume", "عطور"), ("floral", "Floral", "زهري")),
        (("rose perfume", "عطر ورد"), ("jasmine mist", "رذاذ ياسمين"), ("musk", "مسك")),
        (70, 600),
        {"volume": ("30 ml", "75 ml")},
    ),
    Shelf(
        (("electronics", "Electronics", "إلكترونيات"), ("audio", "Audio", "صوتيات")),
        (("headphones", "سماعات رأس"), ("speaker", "مكبر صوت"), ("earbuds", "سماعات أذن")),
        (99, 1800),
        {"colour": ("black", "white")},
    ),
    Shelf(
        (("electronics", "Electronics", "إلكترونيات"), ("games", "Games", "ألعاب فيديو")),
        (("action game", "لعبة أكشن"), ("strategy game", "لعبة استراتيجية")),
        (120, 350),
        {"platform": ("console", "pc")},
        min_age=18,
    ),
    Shelf(
        (("home", "Home", "المنزل"), ("kitchen", "Kitchen", "المطبخ")),
        (("coffee pot", "دلة قهوة"), ("chef's knife", "سكين طاهٍ"), ("tea set", "طقم شاي")),
        (40, 700),
        {"finish": ("brass", "steel")},
    ),
    Shelf(
        (("home", "Home", "المنزل"), ("decor", "Decor", "ديكور")),
        (("lantern", "فانوس"), ("cushion", "وسادة"), ("rug", "سجادة")),
        (60, 2500),
        {"colour": COLOURS},
    ),
    Shelf(
        (("books", "Books", "كتب"), ("fiction", "Fiction", "روايات")),
        (("novel", "رواية"), ("short stories", "قصص قصيرة")),
        (30, 120),
        {"format": ("paperback", "hardback")},
    ),
    Shelf(
        (("books", "Books", "كتب"), ("children", "Children", "أطفال")),
        (("picture book", "كتاب مصور"), ("activity book", "كتاب أنشطة")),
        (25, 90),
        {},
    ),
    Shelf(
        (("beauty", "Beauty", "جمال"),),
        (("face cream", "كريم وجه"), ("hair oil", "زيت شعر")),
        (35, 400),
        {"size": ("50 ml", "200 ml")},
    ),
    Shelf(
        (("sports", "Sports", "رياضة"),),
        (("running shoes", "حذاء جري"), ("yoga mat", "سجادة يوغا")),
        (80, 650),
        {"size": ("40", "42", "44")},
    ),
    Shelf(
        (("toys", "Toys", "ألعاب"),),
        (("building blocks", "مكعبات بناء"), ("plush camel", "جمل محشو")),
        (30, 300),
        {},
    ),
    Shelf(
        (("jewellery", "Jewellery", "مجوهرات"),),
        (("necklace", "قلادة"), ("ring", "خاتم"), ("bracelet", "سوار")),
        (150, 5000),
        {"metal": ("gold", "silver")},
    ),
    Shelf(
        (("bags", "Bags", "حقائب"),),
        (("handbag", "حقيبة يد"), ("backpack", "حقيبة ظهر")),
        (120, 2200),
        {"colour": COLOURS},
    ),
    Shelf(
        (("stationery", "Stationery", "قرطاسية"),),
        (("notebook", "دفتر"), ("fountain pen", "قلم حبر")),
        (15, 400),
        {"colour": ("black", "navy", "olive")},
    ),
    Shelf(
        (("grocery", "Grocery", "بقالة"), ("dates", "Dates", "تمور")),
        (
            ("sukkari dates", "تمر سكري"),
            ("ajwa dates", "تمر عجوة"),
            ("saudi coffee", "قهوة سعودية"),
        ),
        (25, 250),
        {"weight": ("500 g", "1 kg")},
    ),
)

ADJECTIVES = (
    ("Classic", "كلاسيكي"),
    ("Modern", "عصري"),
    ("Handmade", "مصنوع يدويًا"),
    ("Royal", "ملكي"),
    ("Desert", "صحراوي"),
    ("Golden", "ذهبي"),
    ("Everyday", "يومي"),
    ("Premium", "فاخر"),
    ("Light", "خفيف"),
    ("Heritage", "تراثي"),
    ("Coastal", "ساحلي"),
    ("Najd", "نجدي"),
)
PALETTE = (
    (194, 120, 74),
    (38, 70, 83),
    (233, 196, 106),
    (42, 157, 143),
    (231, 111, 81),
    (120, 94, 160),
    (70, 70, 70),
    (176, 137, 104),
)


def draw_product_image(rng: random.Random, noun: str) -> bytes:
    """An illustration of what the product is (``noun``: "dress", "oud oil"...), no letters."""
    return draw_picture(drawing_for(noun), rng)


@functools.lru_cache(maxsize=IMAGE_POOL)
def _demo_product_picture(slug: str, noun: str) -> bytes:
    """A demo product's picture, drawn once per process: the same slug always draws the same."""
    return draw_product_image(random.Random(slug), noun)  # noqa: S311 - demo art


def _noun_of(product: Product) -> str:
    """The shelf noun a demo product was named after ("Golden Oud Oil 12" -> "oud oil")."""
    number = int(product.slug.split("-")[1])
    shelf = SHELVES[(number - 1) % len(SHELVES)]
    name = product.name_en.lower()
    return next((en for en, _ar in shelf.nouns if en in name), shelf.nouns[0][0])


def _category_picture(slug: str) -> SimpleUploadedFile | str:
    """A top category's picture, drawn from one of its kinds ("" for a category without one)."""
    drawing = CATEGORY_DRAWINGS.get(slug)
    if drawing is None:
        return ""
    picture = draw_picture(drawing, random.Random(slug), size=192)  # noqa: S311 - demo art
    return SimpleUploadedFile(f"{slug}.png", picture, content_type="image/png")


def _categories() -> dict[str, Category]:
    made: dict[str, Category] = {}
    for position, shelf in enumerate(SHELVES):
        parent = None
        for slug, name_en, name_ar in shelf.path:
            category = made.get(slug) or Category.objects.filter(slug=slug).first()
            if category is None:
                category = category_save(
                    category=Category(
                        slug=slug,
                        name_en=name_en,
                        name_ar=name_ar,
                        parent=parent,
                        position=position,
                        image=_category_picture(slug) if parent is None else "",
                    )
                )
            made[slug] = category
            parent = category
    return made


def _product_specs(rng: random.Random, count: int) -> Iterator[tuple[Shelf, int, str, str]]:
    for number in range(1, count + 1):
        shelf = SHELVES[(number - 1) % len(SHELVES)]
        (adj_en, adj_ar), (noun_en, noun_ar) = rng.choice(ADJECTIVES), rng.choice(shelf.nouns)
        yield shelf, number, f"{adj_en} {noun_en} {number}".title(), f"{noun_ar} {adj_ar} {number}"


def _variants_for(rng: random.Random, shelf: Shelf, product: Product, number: int) -> list[Variant]:
    low, high = shelf.price_range
    base = Decimal(rng.randint(low, high)) - Decimal("0.05")
    names = list(shelf.options)
    choices = [dict(zip(names, combo, strict=True)) for combo in _combinations(shelf.options)]
    choices = rng.sample(choices, min(len(choices), 4)) if choices else [{}]
    variants = []
    for index, options in enumerate(choices):
        price = base + Decimal(index * 10)
        stock = 0 if rng.random() < 0.08 else rng.randint(1, 40)
        variants.append(
            Variant(
                product=product,
                sku=f"LUM-{number:06d}-{index}",
                options=options,
                price=price,
                stock=stock,
                position=index,
                compare_at_price=(price * Decimal("1.25")).quantize(Decimal("0.01"))
                if rng.random() < 0.2
                else None,
            )
        )
    return variants


def _combinations(options: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    combos: list[tuple[str, ...]] = [()]
    for values in options.values():
        combos = [(*c, v) for c in combos for v in values]
    return [c for c in combos if c]


def load_demo_catalog(
    *,
    products: int = 300,
    images: bool = True,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> str:
    """Create the demo catalogue unless it is there; idempotent by SKU numbering."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    categories = _categories()
    existing = Product.objects.filter(slug__startswith="demo-").count()
    if existing >= products:
        load_demo_search(reindex=False)
        return f"{existing} demo products already present"
    image_pool: list[ProductImage] = []
    specs = list(_product_specs(rng, products))
    for start in range(0, len(specs), batch):
        chunk = specs[start : start + batch]
        with transaction.atomic():
            made = _create_chunk(rng, categories, chunk)
            if images:
                image_pool = _attach_images(rng, made, image_pool)
        if progress:
            progress(len(chunk))
    load_demo_search(reindex=True)
    catalog_changed()
    return f"{products - existing} demo products in {len(categories)} categories"


def _create_chunk(
    rng: random.Random, categories: dict[str, Category], chunk: list[tuple[Shelf, int, str, str]]
) -> list[Product]:
    slugs = [f"demo-{number:06d}" for _shelf, number, _en, _ar in chunk]
    present = set(Product.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    fresh = []
    for shelf, number, name_en, name_ar in chunk:
        slug = f"demo-{number:06d}"
        if slug in present:
            continue
        leaf = categories[shelf.path[-1][0]]
        product = Product(
            category=leaf,
            slug=slug,
            name_en=name_en,
            name_ar=name_ar,
            description_en=f"{name_en}: chosen for everyday use, made to last, and easy to love.",
            description_ar=f"{name_ar}: مختار للاستخدام اليومي، ومصنوع ليدوم، ويسهل أن تحبه.",
            is_featured=number % 29 == 0,
            min_age=shelf.min_age,
            is_listed=True,
        )
        product.refresh_search_text()
        fresh.append(product)
    Product.objects.bulk_create(fresh, batch_size=1000)
    saved = list(Product.objects.filter(slug__in=[p.slug for p in fresh]).order_by("slug"))
    variants = []
    for product in saved:
        number = int(product.slug.split("-")[1])
        shelf = SHELVES[(number - 1) % len(SHELVES)]
        product_variants = _variants_for(rng, shelf, product, number)
        variants += product_variants
        product.min_price = gross_price(min(v.price for v in product_variants))
        product.in_stock = any(v.stock > 0 for v in product_variants)
    Variant.objects.bulk_create(variants, batch_size=2000)
    Product.objects.bulk_update(saved, ["min_price", "in_stock"], batch_size=1000)
    return saved


def _attach_images(
    rng: random.Random, products: list[Product], pool: list[ProductImage]
) -> list[ProductImage]:
    """Draw an image per product up to the pool size; larger stores share the pool's files."""
    shared = []
    for product in products:
        if len(pool) < IMAGE_POOL:
            # Each picture has its own generator: the catalogue's stays as it was.
            upload = SimpleUploadedFile(
                f"{product.slug}.png",
                _demo_product_picture(product.slug, _noun_of(product)),
                content_type="image/png",
            )
            pool.append(
                product_image_add(
                    product=product, upload=upload, alt_en=product.name_en, alt_ar=product.name_ar
                )
            )
            continue
        model = rng.choice(pool)
        shared.append(
            ProductImage(
                product=product,
                original=model.original.name,
                thumbnail=model.thumbnail.name,
                display=model.display.name,
                alt_en=product.name_en,
                alt_ar=product.name_ar,
            )
        )
    ProductImage.objects.bulk_create(shared, batch_size=2000)
    return pool
