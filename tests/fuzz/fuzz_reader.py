"""Coverage-guided fuzzing of the whole entry reader with atheris (libFuzzer for Python).

    python tests/fuzz/fuzz_reader.py -max_total_time=600

Feeds arbitrary bytes to `dateline.read.entryfile.parse_entry` (decoding, front matter, times,
Markdown, figure boxes, images) and fails on anything but a clean result or located
errors: an exception, an error without a line, or an entry returned despite errors.
It starts from the sample content and the test corpus; findings are written to
tests/fuzz/crashes/ (git-ignored).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import atheris

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["dateline", "markdown_it"]):
    from dateline.read.entryfile import Problems, parse_entry
    from dateline.read.markup import make_parser

MD = make_parser()
MD_HTML = make_parser(allow_html=True)
ZONE = ZoneInfo("Europe/London")
FOLDER = Path(tempfile.mkdtemp(prefix="dateline-fuzz-"))
(FOLDER / "a.png").write_bytes(b"png")


def test_one_input(data: bytes) -> None:
    md = MD_HTML if data[:1] == b"\x01" else MD
    problems = Problems()
    entry = parse_entry(md, data, "fuzz.md", FOLDER, "s", "fuzz", ZONE, problems)
    if (entry is None) != bool(problems.errors):
        raise AssertionError("an entry must be returned exactly when there are no errors")
    for error in problems.errors:
        if error.line < 1 or not error.message or error.path != "fuzz.md":
            raise AssertionError(f"badly located error: {error!r}")


def seeds() -> Path:
    """A seed corpus folder: the sample entries and every corpus case."""
    corpus = Path(__file__).parent / "seeds"
    corpus.mkdir(exist_ok=True)
    sources = [*ROOT.glob("content/*/*.md"), *ROOT.glob("tests/corpus/**/*.md")]
    for path in sources:
        (corpus / f"{path.parent.name}-{path.name}").write_bytes(path.read_bytes())
    return corpus


def main() -> None:
    crashes = Path(__file__).parent / "crashes"
    crashes.mkdir(exist_ok=True)
    args = [sys.argv[0], f"-artifact_prefix={crashes}/", *sys.argv[1:], str(seeds())]
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
