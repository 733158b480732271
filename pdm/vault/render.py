"""Previews of stored files, made in a child process (``python -m pdm.vault.render <kind> <src> <dst>``) so that
the worker can stop one that takes too long (services.blob_preview_make gives it a time limit) and a library
crash on a damaged file cannot take the worker down. Pure: no Django, no database.

- images → a PNG thumbnail (Pillow), at most THUMB_PX on its longer side;
- PDF → a PNG of every page, the first PDF_MAX_PAGES of them (pypdfium2), at most PAGE_PX on the longer side;
  the first page is also the file's preview. The answer names the page files and the file's page count;
- STEP/STP → a GLB (binary glTF) for the 3D viewer of the document page: OpenCASCADE (cascadio) reads and
  triangulates the model, trimesh checks the result. Refused past STEP_MAX_BYTES of input or MAX_TRIANGLES
  of output ("model_too_large"); a coarser triangulation is tried once before giving up on the count.
  OpenCASCADE may crash on a damaged file: the child dies, the parent hears no answer and records "broken";
- DXF → SVG (ezdxf's drawing add-on, SVGBackend). Text styles that use SHX fonts (AutoCAD's txt.shx,
  gbcbig.shx …, which are not on the server) are mapped to a CJK TrueType font found with
  ``fc-list :lang=zh``; when none is installed the preview is still made and notes it. Files older than
  AutoCAD 2007 store text in a code page: when the header names none of the CJK code pages and the
  text is not ASCII, it is read as GBK (what Chinese AutoCAD wrote).

Prints one JSON line: {"ok": true, "content_type": …, "notes": […]} (a PDF adds "pages": [file names next to
<dst>] and "page_count") or {"ok": false, "reason": "broken"} ("too_large" for an image past Pillow's
decompression-bomb limit, "model_too_large" for a STEP model past the caps). OpenCASCADE writes its own
messages to stdout: the parent reads the last line that is JSON.

The child is hostile-file-proof within limits: it caps its own memory (RLIMIT_AS, MEMORY_LIMIT) and CPU time
(RLIMIT_CPU, the time limit it is given) before reading anything; a DXF's IMAGE entities are drawn as
rectangles (ImagePolicy.RECT), so a drawing cannot make it open other files on the server.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import warnings
from pathlib import Path

THUMB_PX = 800
PAGE_PX = 1000  # a PDF page's preview: shown small in the strip, opened at this size
PDF_MAX_PAGES = 20
STEP_MAX_BYTES = 50 * 1024 ** 2  # a STEP file past this is not converted (OpenCASCADE needs ~10x in memory)
MAX_TRIANGLES = 500_000  # what a browser shows smoothly
# (linear deflection, relative?, angular deflection in radians): cascadio's default triangulation, then one ten
# times coarser along the surfaces and twice as coarse around curves, for a model past MAX_TRIANGLES
STEP_TOLERANCES = ((0.01, False, 0.5), (0.1, False, 1.0))
MEMORY_LIMIT = 1024 ** 3  # bytes of address space for the child (1 GiB)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CJK_CODEPAGES = {"ANSI_936", "ANSI_950", "ANSI_932", "ANSI_949"}


def cjk_font() -> str | None:
    """The file of an installed CJK font (fontconfig), or None."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    files = sorted(line.strip().rstrip(":") for line in out.splitlines() if line.strip())
    return files[0] if files else None


def render_image(src: Path, dst: Path) -> dict:
    from PIL import Image

    warnings.simplefilter("error", Image.DecompressionBombWarning)  # past the limit: no preview, "too_large"
    with Image.open(src) as image:
        if image.format == "JPEG":
            image.draft("RGB", (THUMB_PX, THUMB_PX))  # decode at a reduced scale: less memory and time
        image.load()
        image.thumbnail((THUMB_PX, THUMB_PX))
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        image.save(dst, format="PNG")
    return {"content_type": "image/png", "notes": []}


def render_pdf(src: Path, dst: Path) -> dict:
    """The first PDF_MAX_PAGES pages as PNGs next to ``dst`` (page-1.png …); page 1 is also ``dst``."""
    import shutil

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(src))
    try:
        count = len(pdf)
        if count < 1:
            raise ValueError("no pages")
        pages = []
        for index in range(min(count, PDF_MAX_PAGES)):
            page = pdf[index]
            try:
                width, height = page.get_size()
                name = f"page-{index + 1}.png"
                page.render(scale=PAGE_PX / max(width, height, 1)).to_pil().save(dst.parent / name, format="PNG")
            finally:
                page.close()
            pages.append(name)
    finally:
        pdf.close()
    shutil.copyfile(dst.parent / pages[0], dst)
    return {"content_type": "image/png", "notes": [], "pages": pages, "page_count": count}


class ModelTooLarge(Exception):
    """A STEP file or its triangulation past the caps (STEP_MAX_BYTES, MAX_TRIANGLES)."""


def glb_triangles(data: bytes) -> int:
    """The number of triangles of a GLB, read with trimesh; a GLB without any is an error."""
    import io

    import trimesh

    scene = trimesh.load(io.BytesIO(data), file_type="glb", force="scene")
    triangles = sum(len(getattr(geometry, "faces", ())) for geometry in scene.geometry.values())
    if triangles < 1:
        raise ValueError("the model has no surfaces")
    return triangles


def render_step(src: Path, dst: Path) -> dict:
    """A GLB of the model (cascadio: OpenCASCADE reads the STEP file and triangulates it; lengths in metres,
    which is what glTF viewers expect). The viewer frames the model itself, so it is not moved."""
    import cascadio

    if src.stat().st_size > STEP_MAX_BYTES:
        raise ModelTooLarge(f"{src.stat().st_size} bytes")
    data = src.read_bytes()
    for linear, relative, angular in STEP_TOLERANCES:
        glb = cascadio.to_glb_bytes(data, file_type=cascadio.FileType.STEP, tol_linear=linear,
                                    tol_relative=relative, tol_angular=angular, use_parallel=False)
        if not glb:
            raise ValueError("OpenCASCADE could not read the STEP file")
        triangles = glb_triangles(glb)
        if triangles <= MAX_TRIANGLES:
            dst.write_bytes(glb)
            return {"content_type": "model/gltf-binary", "notes": [], "triangles": triangles}
    raise ModelTooLarge(f"{triangles} triangles")


def _dxf_encoding(data: bytes) -> str | None:
    """GBK for a pre-2007 DXF with non-ASCII text whose header names no CJK code page; else None."""
    head = data[:20000].decode("latin-1")
    version = re.search(r"\$ACADVER\s*\r?\n\s*1\s*\r?\n\s*(AC\d{4})", head)
    if version and version.group(1) >= "AC1021":  # AutoCAD 2007 and later: UTF-8
        return None
    codepage = re.search(r"\$DWGCODEPAGE\s*\r?\n\s*3\s*\r?\n\s*(\S+)", head)
    if codepage and codepage.group(1).upper() in CJK_CODEPAGES:
        return None
    try:
        data.decode("ascii")
        return None
    except UnicodeDecodeError:
        return "gbk"


def shx_styles_map(doc, font_file: str) -> list[str]:
    """Point every text style that uses an SHX font (or an SHX big font) at `font_file`; the styles' names."""
    mapped = []
    for style in doc.styles:
        if str(style.dxf.get("font", "")).lower().endswith(".shx") or style.dxf.get("bigfont", ""):
            style.dxf.font = Path(font_file).name
            style.dxf.bigfont = ""
            mapped.append(style.dxf.name)
    return mapped


def render_dxf(src: Path, dst: Path) -> dict:
    import ezdxf
    from ezdxf.addons.drawing import Frontend, RenderContext, layout, svg
    from ezdxf.addons.drawing.config import BackgroundPolicy, Configuration, ImagePolicy

    data = src.read_bytes()
    doc = ezdxf.readfile(str(src), encoding=_dxf_encoding(data))
    notes = []
    font = cjk_font()
    has_cjk = any(CJK.search(getattr(e.dxf, "text", "") or "") for e in doc.modelspace().query("TEXT MTEXT"))
    if font:
        shx_styles_map(doc, font)
    if has_cjk and not font:
        notes.append("no_cjk_font")
    backend = svg.SVGBackend()
    # shown on a white page; IMAGE entities as rectangles: their file names must not open server files
    config = Configuration(background_policy=BackgroundPolicy.WHITE, image_policy=ImagePolicy.RECT)
    Frontend(RenderContext(doc), backend, config=config).draw_layout(doc.modelspace())
    dst.write_text(backend.get_string(layout.Page(0, 0, layout.Units.mm)), encoding="utf-8")
    return {"content_type": "image/svg+xml", "notes": notes}


RENDERERS = {"image": render_image, "pdf": render_pdf, "dxf": render_dxf, "step": render_step}


def limits_set(cpu_s: float) -> None:
    """Cap this process: MEMORY_LIMIT of address space, and CPU seconds a little past the time limit (the
    parent kills the child at the time limit; this stops a child it lost track of)."""
    def cap(which: int, soft: int, hard: int) -> None:
        _soft, current = resource.getrlimit(which)  # never above a hard limit already set
        if current != resource.RLIM_INFINITY:
            soft, hard = min(soft, current), min(hard, current)
        resource.setrlimit(which, (soft, hard))

    cap(resource.RLIMIT_AS, MEMORY_LIMIT, MEMORY_LIMIT)
    cpu = max(1, int(cpu_s) + 1)
    cap(resource.RLIMIT_CPU, cpu, cpu + 1)


def _too_large(exc: BaseException) -> bool:
    from PIL import Image

    return isinstance(exc, (Image.DecompressionBombWarning, Image.DecompressionBombError, MemoryError))


def main(argv: list[str], out=None) -> int:
    out = out or sys.stdout
    kind, src, dst, *rest = argv
    if rest:  # the time limit in seconds (services._render passes it)
        limits_set(float(rest[0]))
    try:
        result = RENDERERS[kind](Path(src), Path(dst))
    except Exception as exc:
        if isinstance(exc, ModelTooLarge):
            print(json.dumps({"ok": False, "reason": "model_too_large", "detail": str(exc)[:300]}), file=out)
            return 0
        if _too_large(exc):
            print(json.dumps({"ok": False, "reason": "too_large", "detail": f"{type(exc).__name__}"}), file=out)
            return 0
        # a damaged or mislabelled file: the reason is shown, the details logged
        print(json.dumps({"ok": False, "reason": "broken", "detail": f"{type(exc).__name__}: {exc}"[:300]}),
              file=out)
        return 0
    print(json.dumps({"ok": True, **result}), file=out)
    return 0


if __name__ == "__main__":
    # the answer goes to the real stdout; what the libraries print there (OpenCASCADE does) goes to stderr
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    code = main(sys.argv[1:], out=answer)
    answer.flush()
    sys.exit(code)
