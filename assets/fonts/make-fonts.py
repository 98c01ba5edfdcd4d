"""Builds the two fonts figures add to the upright Ubuntu Light and Hack that egui bundles:
Ubuntu-LightItalic.ttf, the italic letters variables are set in, and UbuntuSymbols.ttf, the
characters a line may hold beside them.

Ubuntu Light Italic comes from Fontsource's npm package, whose WOFF files are split by script:

    npm pack @fontsource/ubuntu@5.3.0 && tar xzf fontsource-ubuntu-5.3.0.tgz
    pip install fonttools
    python3 make-italic.py package/files EPAINT_FONTS_DIR

Why a symbols face: the SVG renderer (usvg) shapes a whole line in each span's face; where the
face lacks a character (≥ in the italic, ∈ or → in Ubuntu Light) it takes the first loaded face
that has it, and if that face has every character of the line it redraws the whole line in it
(the italic w turned upright next to a ≥; a caption line with ∈ drawn all in Hack). A face
with no letters is never complete: loaded first, it lends just the missing characters. It
holds Ubuntu Light's characters that are not letters and Hack's punctuation, arrows and
mathematical operators (scaled to 1000 units per em), as family "Ubuntu Symbols".

Licences: Ubuntu Font Licence 1.0 (UFL-1.0.txt); Hack: MIT and Bitstream Vera (Hack-LICENSE.txt).
"""

import sys

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem


def rest_of(path, have, keep=lambda c: True):
    font = TTFont(path)
    wanted = [c for c in font.getBestCmap() if c not in have and keep(c)]
    options = subset.Options()
    options.notdef_outline = True
    options.layout_features = []
    sub = subset.Subsetter(options)
    sub.populate(unicodes=wanted)
    sub.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    return font


def main(woff_dir, epaint_fonts, out_dir="."):
    parts = []
    for script in ["latin", "greek"]:
        f = TTFont(f"{woff_dir}/ubuntu-{script}-300-italic.woff")
        f.flavor = None
        parts.append(f"/tmp/italic-{script}.ttf")
        f.save(parts[-1])
    italic = Merger().merge(parts)
    italic["name"].setName("Ubuntu", 16, 3, 1, 0x409)
    italic["name"].setName("Light Italic", 17, 3, 1, 0x409)
    italic.save(f"{out_dir}/Ubuntu-LightItalic.ttf")
    have = set(italic.getBestCmap())

    def symbol(c):
        return c not in have and not chr(c).isalpha()

    rest_of(f"{epaint_fonts}/Ubuntu-Light.ttf", have, symbol).save("/tmp/symbols-ubuntu.ttf")
    have |= set(TTFont("/tmp/symbols-ubuntu.ttf").getBestCmap())
    blocks = [(0x2000, 0x23FF), (0x25A0, 0x25FF)]
    rest_of(
        f"{epaint_fonts}/Hack-Regular.ttf",
        have,
        lambda c: symbol(c) and any(a <= c <= b for a, b in blocks),
    ).save("/tmp/symbols-hack.ttf")
    symbols = Merger().merge(["/tmp/symbols-ubuntu.ttf", "/tmp/symbols-hack.ttf"])
    names = symbols["name"]
    for rec in list(names.names):
        if rec.nameID in (1, 4, 16):
            names.setName("Ubuntu Symbols", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        if rec.nameID == 6:
            names.setName("UbuntuSymbols", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
    names.removeNames(nameID=17)
    names.setName("Regular", 2, 3, 1, 0x409)
    symbols.save(f"{out_dir}/UbuntuSymbols.ttf")


if __name__ == "__main__":
    main(*sys.argv[1:])
