"""Media in bodies: photos get smaller copies for `srcset` (right widths, upright, no
EXIF, made once); video and sound files get the browser's players."""

from __future__ import annotations

import io
import json
import os
import wave
from pathlib import Path

from PIL import Image, ImageCms

from dateline.build import build
from tests.conftest import SITE_TOML, STORY_INDEX, entry, run_cli, soup, write_tree

GPS = 0x8825
ORIENTATION = 0x0112


def jpeg(width: int, height: int, orientation: int = 1) -> bytes:
    """A camera-like JPEG: a gradient (so a copy's pixels can be told apart), a colour
    profile, and EXIF with an orientation and a location."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Camera maker"
    exif.get_ifd(GPS)[2] = (50.0, 0.0, 0.0)  # a latitude: where the photographer stood
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif, icc_profile=profile)
    return buffer.getvalue()


def png_with_transparency(width: int, height: int) -> bytes:
    image = Image.new("P", (width, height), 0)
    image.putpalette([255, 255, 255, 200, 0, 0])
    image.paste(1, (0, 0, width // 2, height))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    return buffer.getvalue()


def animated_png(width: int, height: int) -> bytes:
    frames = [Image.new("RGB", (width, height), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


BODY = """
![Firefighters at the council building](turned.jpg "The building | Photographer")

![A map](map.png)

![A thumbnail](small.jpg)

![A moving chart](moving.png)

![Our own sizes](own.jpg)
"""


def _candidates(img) -> list[tuple[str, int]]:
    return [
        (url, int(size.removesuffix("w")))
        for url, size in (c.split() for c in img["srcset"].split(", "))
    ]


def test_photos_get_smaller_copies_upright_without_exif(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body=BODY),
            "s/turned.jpg": jpeg(2000, 1500, orientation=6),  # shown 1500 x 2000
            "s/map.png": png_with_transparency(1000, 500),
            "s/small.jpg": jpeg(400, 300),
            "s/moving.png": animated_png(1000, 500),
            "s/own.jpg": jpeg(1000, 750),
            "s/own.480w.jpg": b"the editor's own file",
        },
    )
    out = tmp_path / "site"
    result = run_cli("--content", content, "--out", out, "--strict")  # every srcset resolves
    assert result.code == 0, result.stderr
    story = out / "s"
    images = {img["alt"]: img for img in soup(story / "a" / "index.html").find_all("img")}

    turned = images["Firefighters at the council building"]
    assert (turned["width"], turned["height"]) == ("1500", "2000")
    assert _candidates(turned) == [
        ("../turned.480w.jpg", 480),
        ("../turned.800w.jpg", 800),
        ("../turned.1280w.jpg", 1280),
        ("../turned.jpg", 1500),
    ]
    assert turned["sizes"] and turned["src"] == "../turned.jpg"
    original_profile = Image.open(content / "s/turned.jpg").info["icc_profile"]
    for name, width in _candidates(turned)[:-1]:
        with Image.open(story / name.removeprefix("../")) as copy:
            assert copy.format == "JPEG"
            assert copy.size == (width, round(2000 * width / 1500))  # turned upright
            assert not copy.getexif()  # no orientation left to apply, no location
            assert copy.info["icc_profile"] == original_profile
            # Upright: orientation 6 turns the file a quarter clockwise, so the top of
            # its gradient (dark) is now on the right.
            grey = copy.convert("L")
            assert grey.getpixel((2, copy.height // 2)) > 200
            assert grey.getpixel((copy.width - 3, copy.height // 2)) < 50

    kept = images["A map"]
    assert [w for _, w in _candidates(kept)] == [480, 800, 1000]
    with Image.open(story / "map.480w.png") as copy:
        assert copy.size == (480, 240)
        assert copy.getpixel((10, 10))[3] == 255 and copy.getpixel((470, 10))[3] == 0

    for alt in ("A thumbnail", "A moving chart", "Our own sizes"):  # no copies for these
        assert not images[alt].has_attr("srcset"), alt
    made = sorted(p.name for p in story.iterdir() if p.is_file() and "w." in p.name)
    assert made == [
        "map.480w.png",
        "map.800w.png",
        "own.480w.jpg",
        "turned.1280w.jpg",
        "turned.480w.jpg",
        "turned.800w.jpg",
    ]
    assert (story / "own.480w.jpg").read_bytes() == b"the editor's own file"

    # The timeline shows the same photo from the story folder; feeds with absolute URLs.
    timeline = {img["alt"]: img for img in soup(story / "index.html").find_all("img")}
    assert _candidates(timeline["A map"])[0] == ("map.480w.png", 480)
    feed = json.loads((story / "feed.json").read_text())
    assert (
        'srcset="https://example.org/live/s/map.480w.png 480w, '
        in (feed["items"][0]["content_html"])
    )


def test_a_phone_jpeg_with_a_second_picture_inside_gets_its_copies(tmp_path: Path) -> None:
    """Phones save JPEGs with a depth map or preview inside (MPO), which Pillow calls
    animated; a browser shows the first picture, and so do the copies."""
    first, second = Image.new("RGB", (1000, 700), "red"), Image.new("RGB", (1000, 700), "blue")
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body="![A phone photo](phone.jpg)"),
            "s/phone.jpg": buffer.getvalue(),
        },
    )
    build(content, tmp_path / "site")
    img = soup(tmp_path / "site" / "s" / "a" / "index.html").find("img")
    assert [w for _, w in _candidates(img)] == [480, 800, 1000]
    with Image.open(tmp_path / "site" / "s" / "phone.480w.jpg") as copy:
        assert (copy.format, copy.size) == ("JPEG", (480, 336))
        red, _, blue = copy.getpixel((10, 10))
        assert red > 200 and blue < 50


def test_copies_are_made_once_and_again_when_the_photo_changes(tmp_path: Path) -> None:
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body="![A photo](photo.jpg)"),
            "s/b.md": entry("Another", "2022-03-02 11:00"),
            "s/photo.jpg": jpeg(1200, 900),
        },
    )
    out = tmp_path / "site"
    build(content, out)
    copy = out / "s" / "photo.800w.jpg"
    first = copy.stat()
    (content / "s/b.md").write_text(entry("Another, edited", "2022-03-02 11:00"))
    build(content, out)
    again = copy.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)  # kept

    before = copy.read_bytes()
    (content / "s/photo.jpg").write_bytes(jpeg(1200, 600))
    build(content, out)
    with Image.open(copy) as image:
        assert image.size == (800, 400)
    assert copy.read_bytes() != before
    reference = tmp_path / "reference"
    build(content, reference, use_cache=False)
    assert copy.read_bytes() == (reference / "s" / "photo.800w.jpg").read_bytes()


def test_a_photo_that_does_not_decode_still_has_its_copies(tmp_path: Path) -> None:
    """Rendering cannot fail on content: a truncated photo whose header reads fine gets
    copies that are the original's bytes, which a browser shows as it shows the original."""
    whole = jpeg(1000, 700)
    content = write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body="![Cut short](cut.jpg)"),
            "s/cut.jpg": whole[: len(whole) // 3],
        },
    )
    out = tmp_path / "site"
    result = run_cli("--content", content, "--out", out, "--strict")
    assert result.code == 0, result.stderr
    img = soup(out / "s" / "a" / "index.html").find("img")
    for url, _ in _candidates(img)[:-1]:
        assert (out / "s" / url.removeprefix("../")).read_bytes() == whole[: len(whole) // 3]


def test_raw_html_keeps_srcset_and_its_addresses_are_rebased_and_checked(
    tmp_path: Path,
) -> None:
    """With HTML allowed, a Markdown photo keeps its srcset through the sanitizer, an
    editor's own `<picture>` works from the entry's page too, and `--strict` checks
    every address in a srcset."""
    body = (
        "![A photo](photo.jpg)\n\n"
        '<picture><source srcset="wide.jpg 1x, photo.jpg 2x" media="(min-width: 40em)">'
        '<img src="photo.jpg" alt="Raw"></picture>\n'
    )
    files = {
        "site.toml": SITE_TOML + "allow_html = true\n",
        "s/_index.md": STORY_INDEX,
        "s/a.md": entry(body=body),
        "s/photo.jpg": jpeg(1000, 700),
        "s/wide.jpg": jpeg(1000, 500),
    }
    content = write_tree(tmp_path / "content", files)
    out = tmp_path / "site"
    result = run_cli("--content", content, "--out", out, "--strict")
    assert result.code == 0, result.stderr
    page = soup(out / "s" / "a" / "index.html")
    assert page.find("img", alt="A photo")["srcset"].startswith("../photo.480w.jpg 480w, ")
    assert page.find("source")["srcset"] == "../wide.jpg 1x, ../photo.jpg 2x"

    (content / "s/wide.jpg").unlink()
    result = run_cli("--content", content, "--out", tmp_path / "other", "--strict")
    assert result.code == 1
    assert "broken link 'wide.jpg': no such file" in result.stderr
    assert "broken link '../wide.jpg': no such file" in result.stderr


def test_a_story_without_photos_does_not_load_pillow(tmp_path: Path) -> None:
    """Pillow is imported only by builds that copy a photo (it costs every build's
    start otherwise)."""
    content = write_tree(
        tmp_path / "content",
        {"site.toml": SITE_TOML, "s/_index.md": STORY_INDEX, "s/a.md": entry()},
    )
    code = (
        "import sys; from pathlib import Path; from dateline.build import build; "
        f"build(Path({str(content)!r}), Path({str(tmp_path / 'site')!r})); "
        "print('PIL' in sys.modules)"
    )
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    assert done.stdout.strip() == "False", done.stderr


def wav(seconds: float) -> bytes:
    """A real WAV file of silence, `seconds` long (browsers play it)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


MEDIA_BODY = """
![Drone footage of the square](clip.mp4 "The square after the strike | Reuters")

The mayor spoke: ![The mayor's statement](statement.wav)

![A photo](photo.jpg)
"""


def media_site(tmp_path: Path, body: str = MEDIA_BODY) -> Path:
    return write_tree(
        tmp_path / "content",
        {
            "site.toml": SITE_TOML,
            "s/_index.md": STORY_INDEX,
            "s/a.md": entry(body=body),
            "s/clip.mp4": b"\0\0\0\x18ftypmp42",  # a video as far as the build cares
            "s/statement.wav": wav(0.5),
            "s/photo.jpg": jpeg(600, 400),
        },
    )


def test_video_and_sound_files_get_players_not_broken_images(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_cli("--content", media_site(tmp_path), "--out", out, "--strict")
    assert result.code == 0, result.stderr
    page = soup(out / "s" / "a" / "index.html")
    video = page.find("video")
    assert video["src"] == "../clip.mp4" and video.has_attr("controls")
    assert video["aria-label"] == "Drone footage of the square"
    assert video.find("a")["href"] == "../clip.mp4"  # for a browser that plays nothing
    figure = video.find_parent("figure")
    assert figure.figcaption.get_text(" ", strip=True) == "The square after the strike Reuters"
    audio = page.find("audio")
    assert (audio["src"], audio["aria-label"]) == ("../statement.wav", "The mayor's statement")
    assert audio.find_parent("p") is not None  # in the sentence's paragraph
    assert [img["src"] for img in page.find_all("img")] == ["../photo.jpg"]
    card = page.find("meta", property="og:image")["content"]
    assert card == "https://example.org/live/s/photo.jpg"  # the photo, not the video


def test_media_mistakes_are_reported_at_their_lines(tmp_path: Path) -> None:
    body = "![](clip.mp4)\n\n![Phone video](from-phone.mov)\n\n![Gone](gone.mp3)\n"
    content = media_site(tmp_path, body)
    (content / "s/from-phone.mov").write_bytes(b"\0")
    result = run_cli("check", "--content", content)
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert f"{content / 's/a.md'}:9: audio 'gone.mp3' not found in {content / 's'}" in lines
    (content / "s/gone.mp3").write_bytes(b"\0")
    result = run_cli("check", "--content", content, "--strict")
    assert (
        f"{content / 's/a.md'}:5: video 'clip.mp4' has no alt text "
        "(it labels the player for screen readers)"
    ) in result.stderr.splitlines()
    assert (
        f"{content / 's/a.md'}:7: video 'from-phone.mov' is a QuickTime file, which some "
        "browsers do not play; convert it to MP4 (H.264), which they all do"
    ) in result.stderr.splitlines()
