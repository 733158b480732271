"""The preview renderer on its own (no database): encodings of old DXF files and the SHX font mapping."""

import io
import warnings

import ezdxf

from pdm.vault import render
from pdm.vault.tests.factories import dxf_bytes


def _old_dxf(codepage: str) -> bytes:
    doc = ezdxf.new("R2000")
    doc.modelspace().add_line((0, 0), (50, 20))
    doc.modelspace().add_text("进风口 详图").set_placement((5, 5))
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().replace("ANSI_1252", codepage).encode("gbk")  # as Chinese AutoCAD wrote it


def test_an_old_dxf_with_chinese_text_and_no_cjk_code_page_is_read_as_gbk(tmp_path):
    data = _old_dxf("ANSI_1252")
    assert render._dxf_encoding(data) == "gbk"
    assert render._dxf_encoding(_old_dxf("ANSI_936")) is None  # the header says so: ezdxf reads it
    assert render._dxf_encoding(dxf_bytes()) is None  # AutoCAD 2007 and later: UTF-8
    (tmp_path / "old.dxf").write_bytes(data)
    doc = ezdxf.readfile(str(tmp_path / "old.dxf"), encoding=render._dxf_encoding(data))
    assert [t.dxf.text for t in doc.modelspace().query("TEXT")] == ["进风口 详图"]
    result = render.render_dxf(tmp_path / "old.dxf", tmp_path / "old.svg")
    assert result["content_type"] == "image/svg+xml" and "<svg" in (tmp_path / "old.svg").read_text()


def test_shx_text_styles_are_mapped_to_the_cjk_font(tmp_path):
    (tmp_path / "a.dxf").write_bytes(dxf_bytes())
    doc = ezdxf.readfile(str(tmp_path / "a.dxf"))
    mapped = render.shx_styles_map(doc, "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    assert mapped == ["HZ"]
    style = doc.styles.get("HZ")
    assert (style.dxf.font, style.dxf.bigfont) == ("NotoSansCJK-Regular.ttc", "")


def test_a_damaged_file_answers_broken_instead_of_failing(tmp_path, capsys):
    (tmp_path / "bad.dxf").write_bytes(b"0\nSECTION\n2\nnonsense")
    assert render.main(["dxf", str(tmp_path / "bad.dxf"), str(tmp_path / "out.svg")]) == 0
    assert '"ok": false, "reason": "broken"' in capsys.readouterr().out


def test_a_dxf_image_naming_a_server_file_is_drawn_as_a_rectangle_without_opening_it(tmp_path):
    # given a DXF whose IMAGE entity points at /etc/passwd
    doc = ezdxf.new("R2010")
    image_def = doc.add_image_def(filename="/etc/passwd", size_in_pixel=(64, 64))
    doc.modelspace().add_image(image_def, insert=(0, 0), size_in_units=(10, 10))
    doc.modelspace().add_line((0, 0), (50, 20))
    doc.saveas(tmp_path / "image.dxf")
    # when it is rendered
    result = render.render_dxf(tmp_path / "image.dxf", tmp_path / "image.svg")
    # then the preview is made (the file named is never opened as an image)
    assert result["content_type"] == "image/svg+xml" and "<svg" in (tmp_path / "image.svg").read_text()


def test_an_image_past_the_decompression_bomb_limit_answers_too_large(tmp_path, capsys, monkeypatch):
    # given Pillow's limit at 1000 pixels and an image of 40 x 30 (past it, below twice it: a warning)
    from PIL import Image

    from pdm.vault.tests.factories import png_bytes
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    (tmp_path / "big.png").write_bytes(png_bytes())
    # when it is rendered
    with warnings.catch_warnings():
        assert render.main(["image", str(tmp_path / "big.png"), str(tmp_path / "out.png")]) == 0
    # then there is no preview, for that reason
    assert '"ok": false, "reason": "too_large"' in capsys.readouterr().out
    assert not (tmp_path / "out.png").exists()
