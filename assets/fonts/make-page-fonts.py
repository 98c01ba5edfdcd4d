"""Builds the page's fonts (assets/fonts/page/): egui's bundled faces cut down to the characters
a figure of this laboratory and its controls use, so that the browser build downloads ~0.28 MB
of fonts (gzipped) instead of ~0.78 MB. The native app embeds the faces whole.

Kept: Latin (Basic, Latin-1, Extended A/B and Additional), Greek, and U+2000–2BFF (punctuation,
super- and subscripts, letterlike symbols, arrows, mathematical operators, technical symbols,
shapes) from Ubuntu Light and Hack; from the two emoji faces only the symbols in that block
and the emoji the app and egui's widgets show. Hinting and layout features are kept as they are.

    pip install fonttools
    python3 assets/fonts/make-page-fonts.py EPAINT_FONTS_DIR assets/fonts/page

EPAINT_FONTS_DIR is epaint_default_fonts-0.37.0/fonts in Cargo's registry. Licences: Ubuntu Font
Licence 1.0 (UFL-1.0.txt); Hack: MIT and Bitstream Vera (Hack-LICENSE.txt); Noto Emoji: SIL OFL
1.1; emoji-icon-font: MIT (both texts in epaint_default_fonts).
"""

import sys

from fontTools import subset
from fontTools.ttLib import TTFont

TEXT = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x1E00, 0x1EFF), (0x2000, 0x2BFF),
        (0xFB00, 0xFB06), (0xFFFD, 0xFFFD)]
SYMBOLS = [(0x2190, 0x21FF), (0x2300, 0x23FF), (0x25A0, 0x27FF), (0x2B00, 0x2BFF)]
# The emoji the app's labels use (🎓 💾 📁 📂 🔗) and those egui's own widgets may show.
EMOJI = [0x1F393, 0x1F4BE, 0x1F4C1, 0x1F4C2, 0x1F517, 0x1F319, 0x1F391, 0x1F3A8, 0x1F41B,
         0x1F44D, 0x1F4BB, 0x1F4CA, 0x1F4CB, 0x1F4CF, 0x1F4E5, 0x1F503, 0x1F504, 0x1F520,
         0x1F525, 0x1F5A4, 0x1F5B1, 0x1F5BC, 0x1F60A, 0x1F642, 0x1F926, 0x1F937, 0xFE0F]


def cut(src, dst, ranges, extra=()):
    wanted = [c for a, b in ranges for c in range(a, b + 1)] + list(extra)
    font = TTFont(src)
    options = subset.Options()
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=wanted)
    sub.subset(font)
    font.save(dst)


def main(epaint_fonts, out_dir):
    cut(f"{epaint_fonts}/Ubuntu-Light.ttf", f"{out_dir}/Ubuntu-Light.ttf", TEXT)
    cut(f"{epaint_fonts}/Hack-Regular.ttf", f"{out_dir}/Hack-Regular.ttf", TEXT)
    cut(f"{epaint_fonts}/NotoEmoji-Regular.ttf", f"{out_dir}/NotoEmoji-Regular.ttf", SYMBOLS, EMOJI)
    cut(f"{epaint_fonts}/emoji-icon-font.ttf", f"{out_dir}/emoji-icon-font.ttf", SYMBOLS, EMOJI)


if __name__ == "__main__":
    main(*sys.argv[1:])
