"""Demo product pictures drawn with Pillow: an illustration of what the product is (a bottle
for a perfume, a dress, headphones, a coffee pot...), in soft colours, with no letters at all.

Each picture is drawn on a 100 × 100 grid at twice the output size, then scaled down, so edges
come out smooth. The colours come from the caller's random generator, so the same seed always
gives the same pictures.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter

Colour = tuple[int, int, int]

SIZE = 800
_SCALE = 2  # drawn at twice the size, then reduced: smooth edges without anti-aliasing support

GROUNDS: tuple[Colour, ...] = (
    (248, 238, 224),
    (232, 241, 236),
    (236, 236, 247),
    (248, 232, 230),
    (234, 242, 250),
    (250, 244, 226),
    (241, 235, 245),
)
INKS: tuple[Colour, ...] = (
    (38, 70, 83),
    (194, 120, 74),
    (42, 130, 120),
    (214, 104, 80),
    (112, 88, 156),
    (150, 112, 82),
    (60, 64, 72),
    (176, 58, 86),
    (66, 104, 160),
)
ACCENTS: tuple[Colour, ...] = (
    (233, 196, 106),
    (212, 175, 95),
    (244, 162, 97),
    (168, 218, 220),
    (240, 200, 160),
)
STEEL: Colour = (196, 202, 210)
PAPER: Colour = (246, 242, 232)
BROWN: Colour = (112, 62, 34)
GLOW: Colour = (255, 222, 150)


def _mix(colour: Colour, other: Colour, share: float) -> Colour:
    return tuple(round(a + (b - a) * share) for a, b in zip(colour, other, strict=True))


def lighter(colour: Colour, share: float = 0.35) -> Colour:
    return _mix(colour, (255, 255, 255), share)


def darker(colour: Colour, share: float = 0.3) -> Colour:
    return _mix(colour, (0, 0, 0), share)


class Canvas:
    """Pillow's drawing calls on a 100 × 100 grid."""

    def __init__(self, image: Image.Image) -> None:
        self.draw = ImageDraw.Draw(image)
        self.unit = image.width / 100

    def _p(self, *values: float) -> list[float]:
        return [value * self.unit for value in values]

    def _w(self, width: float) -> int:
        return max(1, round(width * self.unit))

    def box(self, x0, y0, x1, y1, fill, radius: float = 0, outline=None, width: float = 0):
        self.draw.rounded_rectangle(
            self._p(x0, y0, x1, y1),
            radius=radius * self.unit,
            fill=fill,
            outline=outline,
            width=self._w(width) if outline else 0,
        )

    def oval(self, x0, y0, x1, y1, fill=None, outline=None, width: float = 0):
        self.draw.ellipse(
            self._p(x0, y0, x1, y1),
            fill=fill,
            outline=outline,
            width=self._w(width) if outline else 0,
        )

    def dot(self, x, y, r, fill):
        self.oval(x - r, y - r, x + r, y + r, fill=fill)

    def shape(self, points, fill):
        self.draw.polygon([coord * self.unit for point in points for coord in point], fill=fill)

    def line(self, points, fill, width: float):
        flat = [coord * self.unit for point in points for coord in point]
        self.draw.line(flat, fill=fill, width=self._w(width), joint="curve")

    def arc(self, x0, y0, x1, y1, start, end, fill, width: float):
        self.draw.arc(self._p(x0, y0, x1, y1), start, end, fill=fill, width=self._w(width))


# --- The drawings: (canvas, main colour, accent colour) -------------------------------------------
def bottle(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(30, 40, 70, 88, ink, radius=9)
    c.box(35, 46, 40, 82, lighter(ink, 0.3), radius=2.5)
    c.box(34, 60, 66, 70, lighter(ink, 0.55))
    c.box(44, 30, 56, 41, darker(ink, 0.2))
    c.box(38, 15, 62, 31, accent, radius=4)
    c.box(41, 18, 45, 28, lighter(accent, 0.4), radius=1.5)


def round_bottle(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.oval(26, 40, 74, 88, ink)
    c.oval(33, 48, 45, 64, lighter(ink, 0.35))
    c.box(45, 30, 55, 42, darker(ink, 0.2))
    c.oval(40, 14, 60, 34, accent)


def vial(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(38, 44, 62, 88, darker(ink, 0.1), radius=10)
    c.box(42, 50, 46, 82, lighter(ink, 0.35), radius=2)
    c.box(46, 34, 54, 45, accent)
    c.shape([(50, 10), (59, 26), (56, 34), (44, 34), (41, 26)], accent)
    c.shape([(50, 14), (54, 24), (50, 30)], lighter(accent, 0.4))


def mist(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(32, 42, 68, 88, lighter(ink, 0.15), radius=12)
    c.box(37, 48, 42, 82, lighter(ink, 0.5), radius=2)
    c.box(46, 30, 54, 42, STEEL)
    c.box(42, 22, 58, 31, accent, radius=2)
    for x, y, r in ((66, 24, 1.6), (72, 20, 1.3), (72, 28, 1.3), (78, 17, 1), (78, 24, 1)):
        c.dot(x, y, r, lighter(ink, 0.3))


def burner(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.shape([(34, 88), (66, 88), (58, 74), (42, 74)], ink)
    c.box(46, 60, 54, 75, darker(ink, 0.15))
    c.shape([(26, 46), (74, 46), (63, 62), (37, 62)], ink)
    c.box(24, 42, 76, 48, accent, radius=2)
    for x in (38, 50, 62):
        c.dot(x, 54, 2, accent)
    smoke = lighter(ink, 0.6)
    c.arc(40, 18, 52, 40, 90, 270, smoke, 1.6)
    c.arc(48, 8, 60, 30, 270, 450, smoke, 1.6)


def dress(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.shape([(41, 12), (59, 12), (63, 22), (58, 40), (80, 88), (20, 88), (42, 40), (37, 22)], ink)
    c.shape([(42, 40), (58, 40), (66, 70), (50, 88), (34, 70)], lighter(ink, 0.12))
    c.box(41, 37, 59, 43, accent, radius=1.5)
    c.line([(41, 12), (44, 4)], darker(ink, 0.2), 1.2)
    c.line([(59, 12), (56, 4)], darker(ink, 0.2), 1.2)


def robe(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.shape(
        [
            (38, 12),
            (62, 12),
            (86, 40),
            (77, 47),
            (65, 34),
            (70, 90),
            (30, 90),
            (35, 34),
            (23, 47),
            (14, 40),
        ],
        ink,
    )
    c.box(48.5, 14, 51.5, 90, accent)
    c.shape([(44, 12), (56, 12), (50, 20)], lighter(ink, 0.4))
    c.line([(77, 47), (86, 40)], accent, 1.5)
    c.line([(23, 47), (14, 40)], accent, 1.5)


def thobe(c: Canvas, ink: Colour, accent: Colour) -> None:
    robe(c, lighter(ink, 0.78), darker(lighter(ink, 0.78), 0.12))
    c.box(45, 10, 55, 16, darker(lighter(ink, 0.78), 0.1), radius=1)
    for y in (22, 28, 34):
        c.dot(50, y, 1.1, darker(ink, 0.1))


def shirt(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.shape(
        [
            (38, 18),
            (62, 18),
            (84, 34),
            (76, 44),
            (66, 38),
            (66, 84),
            (34, 84),
            (34, 38),
            (24, 44),
            (16, 34),
        ],
        ink,
    )
    c.shape([(40, 18), (50, 30), (44, 32), (37, 22)], lighter(ink, 0.45))
    c.shape([(60, 18), (50, 30), (56, 32), (63, 22)], lighter(ink, 0.45))
    for y in (38, 48, 58, 68, 78):
        c.dot(50, y, 1.1, accent)


def bisht(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.shape([(36, 12), (64, 12), (90, 88), (10, 88)], darker(ink, 0.15))
    c.shape([(44, 12), (56, 12), (60, 88), (40, 88)], lighter(ink, 0.7))
    gold = (212, 175, 95)
    c.line([(44, 12), (40, 88)], gold, 2)
    c.line([(56, 12), (60, 88)], gold, 2)
    c.line([(36, 12), (64, 12)], gold, 2)


def headphones(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.arc(22, 14, 78, 78, 180, 360, ink, 6)
    c.box(16, 46, 34, 80, ink, radius=7)
    c.box(66, 46, 84, 80, ink, radius=7)
    c.box(30, 50, 36, 76, accent, radius=3)
    c.box(64, 50, 70, 76, accent, radius=3)


def speaker(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(28, 14, 72, 90, ink, radius=10)
    c.dot(50, 64, 15, darker(ink, 0.3))
    c.dot(50, 64, 6, accent)
    c.dot(50, 33, 8, darker(ink, 0.3))
    c.dot(50, 33, 3, accent)


def earbuds(c: Canvas, ink: Colour, accent: Colour) -> None:
    case = (246, 246, 246)
    c.box(28, 56, 72, 86, case, radius=14, outline=(210, 210, 214), width=0.8)
    c.line([(28, 66), (72, 66)], (214, 214, 218), 0.8)
    c.dot(50, 61, 1.2, accent)
    for x in (38, 62):
        c.dot(x, 34, 9, case)
        c.dot(x, 34, 4, ink)
        c.box(x - 2.5, 38, x + 2.5, 52, case, radius=2)


def controller(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.oval(14, 44, 42, 86, ink)
    c.oval(58, 44, 86, 86, ink)
    c.box(20, 38, 80, 70, ink, radius=16)
    pad = lighter(ink, 0.55)
    c.box(27, 50, 39, 55, pad, radius=1)
    c.box(30.5, 46.5, 35.5, 58.5, pad, radius=1)
    for (x, y), colour in zip(
        ((68, 46), (74, 52), (62, 52), (68, 58)),
        (accent, (168, 218, 220), (244, 162, 97), (240, 240, 240)),
        strict=True,
    ):
        c.dot(x, y, 2.8, colour)


def dallah(c: Canvas, ink: Colour, accent: Colour) -> None:
    brass = accent
    c.shape([(38, 86), (66, 86), (62, 54), (56, 46), (48, 46), (42, 54)], brass)
    c.box(46, 32, 58, 47, darker(brass, 0.12))
    c.shape([(44, 32), (60, 32), (56, 22), (52, 12), (48, 22)], brass)
    c.dot(52, 11, 2, darker(brass, 0.25))
    c.shape([(42, 60), (20, 30), (25, 28), (46, 54)], darker(brass, 0.08))
    c.arc(56, 44, 78, 78, 270, 450, darker(brass, 0.25), 3)
    c.box(36, 84, 68, 88, darker(brass, 0.3), radius=1.5)
    c.box(44, 56, 48, 80, lighter(brass, 0.35), radius=2)


def knife(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.shape([(12, 62), (60, 44), (63, 56), (18, 66)], STEEL)
    c.shape([(12, 62), (60, 44), (61, 48), (16, 63)], lighter(STEEL, 0.5))
    c.shape([(60, 44), (90, 34), (92, 45), (63, 56)], darker(ink, 0.1))
    c.dot(72, 45, 1.3, STEEL)
    c.dot(82, 41, 1.3, STEEL)


def tea_set(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.oval(16, 70, 66, 82, lighter(accent, 0.2))
    c.shape([(24, 46), (58, 46), (54, 74), (28, 74)], ink)
    c.box(24, 44, 58, 49, lighter(ink, 0.35), radius=1.5)
    c.arc(52, 50, 68, 68, 270, 450, ink, 3)
    c.shape([(70, 50), (84, 50), (81, 78), (73, 78)], lighter(accent, 0.55))
    c.shape([(71, 58), (83, 58), (81, 78), (73, 78)], (176, 88, 48))
    c.oval(66, 76, 88, 82, accent)


def lantern(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.oval(46, 4, 54, 12, None, outline=accent, width=1.5)
    c.shape([(34, 24), (66, 24), (50, 11)], accent)
    c.box(36, 24, 64, 78, ink, radius=3)
    c.box(41, 30, 59, 72, GLOW, radius=2)
    c.dot(50, 54, 5, (255, 245, 215))
    for x in (47, 53):
        c.line([(x, 30), (x, 72)], ink, 1)
    c.box(32, 78, 68, 84, accent, radius=1.5)


def cushion(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(18, 28, 82, 82, ink, radius=16)
    c.box(23, 33, 77, 77, None, radius=12, outline=lighter(ink, 0.4), width=1.2)
    c.shape([(50, 38), (64, 55), (50, 72), (36, 55)], accent)
    c.shape([(50, 46), (57, 55), (50, 64), (43, 55)], lighter(ink, 0.25))
    for x, y in ((18, 28), (82, 28), (18, 82), (82, 82)):
        c.dot(x, y, 3, accent)


def rug(c: Canvas, ink: Colour, accent: Colour) -> None:
    for y in range(32, 76, 4):
        c.line([(10, y), (16, y)], lighter(accent, 0.3), 1)
        c.line([(84, y), (90, y)], lighter(accent, 0.3), 1)
    c.box(16, 26, 84, 80, ink)
    c.box(20, 30, 80, 76, None, outline=accent, width=2)
    c.shape([(50, 36), (68, 53), (50, 70), (32, 53)], accent)
    c.shape([(50, 44), (60, 53), (50, 62), (40, 53)], ink)
    for x in (26, 74):
        c.dot(x, 53, 2.5, accent)


def book(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(30, 18, 74, 88, PAPER, radius=2)
    c.box(26, 14, 70, 84, ink, radius=3)
    c.box(26, 14, 32, 84, darker(ink, 0.2), radius=2)
    c.dot(50, 40, 8, accent)
    c.dot(50, 40, 4, ink)
    c.box(40, 58, 62, 60, lighter(ink, 0.4))
    c.box(43, 64, 59, 66, lighter(ink, 0.4))


def picture_book(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(14, 26, 86, 82, ink, radius=3)
    c.box(18, 30, 82, 78, (250, 240, 214), radius=2)
    c.dot(68, 42, 6, accent)
    # Two hills: the upper halves of ellipses whose middle lies on the page's bottom edge.
    c.draw.chord(c._p(18, 58, 60, 98), 180, 360, fill=(140, 190, 120))
    c.draw.chord(c._p(42, 64, 82, 92), 180, 360, fill=(110, 168, 104))


def activity_book(c: Canvas, ink: Colour, accent: Colour) -> None:
    book(c, ink, accent)
    c.line([(58, 84), (86, 46)], (244, 190, 60), 5)
    c.shape([(56, 87), (57, 81), (61, 84)], (60, 50, 40))


def jar(c: Canvas, ink: Colour, accent: Colour) -> None:
    body = lighter(ink, 0.8)
    c.box(26, 50, 74, 86, body, radius=9)
    c.box(30, 56, 36, 80, (255, 255, 255), radius=3)
    c.box(24, 38, 76, 52, accent, radius=6)
    c.box(24, 48, 76, 52, darker(accent, 0.15))
    c.box(40, 64, 60, 72, lighter(ink, 0.4), radius=2)


def dropper(c: Canvas, ink: Colour, accent: Colour) -> None:
    amber = (196, 126, 52)
    c.box(34, 46, 66, 88, amber, radius=9)
    c.box(38, 52, 43, 82, lighter(amber, 0.35), radius=2)
    c.box(40, 38, 60, 47, accent, radius=2)
    c.oval(43, 14, 57, 40, darker(ink, 0.1))


def shoe(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.shape([(12, 72), (88, 72), (90, 80), (12, 80)], (245, 245, 245))
    c.shape(
        [(12, 72), (14, 54), (28, 48), (42, 36), (54, 38), (58, 50), (78, 56), (88, 66), (88, 72)],
        ink,
    )
    c.arc(20, 50, 80, 90, 200, 330, accent, 3)
    for x in (44, 49, 54):
        c.line([(x - 3, 42), (x + 3, 46)], (245, 245, 245), 1.2)


def yoga_mat(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(16, 44, 74, 72, ink)
    c.oval(64, 44, 84, 72, lighter(ink, 0.3))
    c.arc(68, 48, 80, 68, 0, 300, darker(ink, 0.2), 1.5)
    c.box(30, 42, 36, 74, accent)
    c.box(52, 42, 58, 74, accent)


def blocks(c: Canvas, ink: Colour, accent: Colour) -> None:
    colours = (ink, accent, (66, 104, 160))
    spots = ((20, 58, 46, 82), (46, 58, 72, 82), (33, 34, 59, 58))
    for (x0, y0, x1, y1), colour in zip(spots, colours, strict=True):
        c.box(x0, y0, x1, y1, colour, radius=2)
        for x in (x0 + 5, x1 - 10):
            c.box(x, y0 - 4, x + 5, y0 + 1, lighter(colour, 0.2), radius=1)


def camel(c: Canvas, ink: Colour, accent: Colour) -> None:
    fur = (204, 160, 104)
    for x in (30, 40, 56, 64):
        c.box(x, 60, x + 5, 86, darker(fur, 0.15), radius=2)
    c.oval(22, 40, 72, 68, fur)
    c.oval(32, 26, 56, 52, fur)
    c.shape([(62, 50), (70, 22), (78, 22), (72, 54)], fur)
    c.oval(68, 14, 86, 28, fur)
    c.dot(79, 19, 1.2, (60, 40, 30))
    c.box(36, 40, 56, 48, accent, radius=2)
    c.box(36, 46, 56, 50, ink)


def necklace(c: Canvas, ink: Colour, accent: Colour) -> None:
    gold = (212, 175, 95)
    for step in range(0, 19):
        angle = math.pi * step / 18
        c.dot(50 - 30 * math.cos(angle), 22 + 38 * math.sin(angle), 2.2, gold)
    c.shape([(50, 62), (58, 72), (50, 86), (42, 72)], ink)
    c.shape([(50, 66), (54, 72), (50, 78)], lighter(ink, 0.5))


def ring(c: Canvas, ink: Colour, accent: Colour) -> None:
    gold = (212, 175, 95)
    c.oval(26, 40, 74, 86, None, outline=gold, width=6)
    c.arc(28, 42, 72, 84, 200, 250, lighter(gold, 0.5), 2)
    c.shape([(42, 28), (58, 28), (62, 34), (50, 46), (38, 34)], lighter(ink, 0.35))
    c.shape([(42, 28), (50, 28), (50, 46), (38, 34)], lighter(ink, 0.6))


def bracelet(c: Canvas, ink: Colour, accent: Colour) -> None:
    gold = (212, 175, 95)
    c.oval(16, 32, 84, 76, None, outline=gold, width=7)
    for step in range(0, 12):
        angle = 2 * math.pi * step / 12
        c.dot(50 + 34 * math.cos(angle), 54 + 22 * math.sin(angle), 2.2, ink)


def handbag(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.arc(32, 18, 68, 62, 180, 360, darker(ink, 0.2), 4)
    c.shape([(22, 42), (78, 42), (86, 86), (14, 86)], ink)
    c.shape([(22, 42), (78, 42), (74, 60), (26, 60)], darker(ink, 0.12))
    c.box(46, 56, 54, 64, accent, radius=2)


def backpack(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.arc(40, 8, 60, 28, 180, 360, darker(ink, 0.2), 3)
    c.box(26, 18, 74, 88, ink, radius=14)
    c.box(32, 54, 68, 82, darker(ink, 0.15), radius=8)
    c.box(32, 54, 68, 58, accent, radius=2)
    c.box(30, 28, 70, 34, lighter(ink, 0.2), radius=3)


def notebook(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(28, 14, 76, 88, PAPER, radius=3)
    c.box(24, 12, 72, 86, ink, radius=4)
    c.box(62, 12, 66, 86, accent)
    c.box(32, 26, 54, 36, lighter(ink, 0.3), radius=2)


def pen(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.line([(22, 80), (64, 38)], ink, 10)
    c.shape([(60, 34), (68, 42), (84, 18), (82, 16)], (212, 175, 95))
    c.line([(74, 30), (82, 22)], darker((212, 175, 95), 0.3), 0.8)
    c.line([(30, 64), (50, 44)], accent, 1.6)
    c.box(55, 44, 60, 48, accent)


def dates(c: Canvas, ink: Colour, accent: Colour) -> None:
    for x, y in ((30, 46), (42, 40), (54, 42), (66, 46), (36, 54), (50, 50), (62, 54)):
        c.oval(x - 7, y - 5, x + 7, y + 6, BROWN)
        c.oval(x - 4, y - 3, x, y, lighter(BROWN, 0.25))
    c.draw.chord(c._p(16, 34, 84, 90), 0, 180, fill=ink)
    c.box(16, 60, 84, 64, accent, radius=2)


def coffee(c: Canvas, ink: Colour, accent: Colour) -> None:
    for x, y in ((20, 78), (28, 84), (74, 80), (82, 74), (80, 86)):
        c.oval(x - 4, y - 3, x + 4, y + 3, BROWN)
    for x, y in ((24, 66), (78, 64)):
        c.oval(x - 4, y - 2.5, x + 4, y + 2.5, (140, 170, 90))
    c.oval(30, 70, 70, 80, lighter(accent, 0.3))
    c.shape([(34, 44), (66, 44), (62, 72), (38, 72)], (248, 246, 240))
    c.box(34, 44, 66, 48, (216, 190, 120), radius=1.5)
    c.shape([(38, 58), (62, 58), (61, 64), (39, 64)], ink)


def gift(c: Canvas, ink: Colour, accent: Colour) -> None:
    c.box(22, 40, 78, 86, ink, radius=3)
    c.box(18, 32, 82, 44, lighter(ink, 0.15), radius=3)
    c.box(46, 32, 54, 86, accent)
    c.oval(34, 18, 50, 34, None, outline=accent, width=3)
    c.oval(50, 18, 66, 34, None, outline=accent, width=3)


Drawing = Callable[[Canvas, Colour, Colour], None]

# What each of the demo catalogue's nouns looks like.
DRAWINGS: dict[str, Drawing] = {
    "dress": dress,
    "abaya": robe,
    "kaftan": robe,
    "thobe": thobe,
    "shirt": shirt,
    "bisht": bisht,
    "oud oil": vial,
    "bakhoor": burner,
    "oud perfume": bottle,
    "rose perfume": round_bottle,
    "jasmine mist": mist,
    "musk": vial,
    "headphones": headphones,
    "speaker": speaker,
    "earbuds": earbuds,
    "action game": controller,
    "strategy game": controller,
    "coffee pot": dallah,
    "chef's knife": knife,
    "tea set": tea_set,
    "lantern": lantern,
    "cushion": cushion,
    "rug": rug,
    "novel": book,
    "short stories": book,
    "picture book": picture_book,
    "activity book": activity_book,
    "face cream": jar,
    "hair oil": dropper,
    "running shoes": shoe,
    "yoga mat": yoga_mat,
    "building blocks": blocks,
    "plush camel": camel,
    "necklace": necklace,
    "ring": ring,
    "bracelet": bracelet,
    "handbag": handbag,
    "backpack": backpack,
    "notebook": notebook,
    "fountain pen": pen,
    "sukkari dates": dates,
    "ajwa dates": dates,
    "saudi coffee": coffee,
}

# A top category's picture: one of its own kinds.
CATEGORY_DRAWINGS: dict[str, Drawing] = {
    "clothing": dress,
    "perfume": bottle,
    "electronics": headphones,
    "home": lantern,
    "books": book,
    "beauty": jar,
    "sports": shoe,
    "toys": camel,
    "jewellery": ring,
    "bags": handbag,
    "stationery": pen,
    "grocery": dates,
}


def _ground(colour: Colour, size: int) -> Image.Image:
    """A soft vertical gradient: lighter at the top, a shade deeper at the bottom."""
    top, bottom = lighter(colour, 0.45), darker(colour, 0.04)
    strip = Image.new("RGB", (1, size))
    for y in range(size):
        strip.putpixel((0, y), _mix(top, bottom, y / (size - 1)))
    return strip.resize((size, size))


def draw_picture(drawing: Drawing, rng: random.Random, *, size: int = SIZE) -> bytes:
    """A PNG of ``drawing`` on a soft ground, with a shadow beneath it and no text."""
    ground, ink, accent = rng.choice(GROUNDS), rng.choice(INKS), rng.choice(ACCENTS)
    big = size * _SCALE
    image = _ground(ground, big)
    shadow = Image.new("L", (big, big), 0)
    ImageDraw.Draw(shadow).ellipse([big * 0.2, big * 0.84, big * 0.8, big * 0.94], fill=70)
    shadow = shadow.filter(ImageFilter.GaussianBlur(big / 60))
    image.paste(darker(ground, 0.35), mask=shadow)
    drawing(Canvas(image), ink, accent)
    picture = image.resize((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # Quick to write: the store decodes an upload and encodes its own sizes from the pixels.
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def drawing_for(noun: str) -> Drawing:
    """The illustration of a demo noun; a wrapped gift for anything the store does not know."""
    return DRAWINGS.get(noun.strip().lower(), gift)
