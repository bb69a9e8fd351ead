"""Synthetic live stories written to the content contract, for benchmarks.

    python benchmarks/generate.py OUT_DIR --entries 5000 [--stories 3] [--seed 1]

One large story holds `--entries` entries over several weeks; a few small stories sit
beside it, as on a newsroom site. Bodies are two to five paragraphs of varied text with
links and emphasis, entries carry tags, every fourth entry has a figure box whose claims
drift over time, some are key or pinned. The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

WORDS = [
    "officials",
    "said",
    "the",
    "city",
    "overnight",
    "shelling",
    "residents",
    "forces",
    "talks",
    "border",
    "aid",
    "convoy",
    "hospital",
    "power",
    "water",
    "supplies",
    "ceasefire",
    "corridor",
    "minister",
    "statement",
    "reports",
    "confirmed",
    "unverified",
    "according",
    "regional",
    "governor",
    "damage",
    "evacuation",
    "emergency",
    "services",
    "spokesperson",
    "agency",
    "sanctions",
    "embassy",
    "parliament",
    "vote",
    "negotiators",
    "delegation",
    "frontline",
    "villages",
    "infrastructure",
    "bridge",
    "railway",
    "station",
]
TAGS = ["kharkiv", "kyiv", "diplomacy", "refugees", "sanctions", "casualties", "energy", "video"]
METRICS = [
    ("People who fled the country", ["UN refugee agency", "Interior ministry"], 600_000, 25_000),
    ("Civilians killed", ["Health ministry", "UN monitors", "Regional governor"], 2_000, 60),
    ("Homes without power", ["Grid operator", "Energy ministry"], 400_000, -15),
]
QUALIFIERS = ["", "more than ", "about ", "at least ", "up to "]
KYIV = ZoneInfo("Europe/Kyiv")


def paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(25, 60))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        i = rng.randrange(1, len(words))
        words[i] = f"[{words[i]}](https://example.org/{words[i]}/{rng.randint(1, 999)})"
    if rng.random() < 0.3:
        i = rng.randrange(1, len(words))
        words[i] = f"*{words[i]}*"
    return " ".join(words) + "."


def figure_box(rng: random.Random, index: int) -> str:
    name, sources, base, step = METRICS[index % len(METRICS)]
    lines = [f"```figures {name}"]
    for source in rng.sample(sources, k=rng.randint(1, len(sources))):
        value = max(1, base + step * index // 4 + rng.randint(-base // 20, base // 20))
        status = rng.choice(["", "", " [verified]", " [disputed]"])
        lines.append(f"{source}: {rng.choice(QUALIFIERS)}{value:,}{status}")
    lines.append("note: Not independently verified.")
    lines.append("```")
    return "\n".join(lines)


def stamp(when: datetime) -> str:
    """Local time with its offset, as an editor writes across a clock change."""
    return when.isoformat(sep=" ", timespec="minutes")


def entry_text(rng: random.Random, index: int, when: datetime) -> str:
    tags = ", ".join(rng.sample(TAGS, k=rng.randint(1, 3)))
    extra = ""
    if index % 25 == 0:
        extra += "key: true\n"
    if rng.random() < 0.1:
        later = (when + timedelta(minutes=rng.randint(5, 90))).astimezone(when.tzinfo)
        extra += f"updated: {stamp(later)}\n"
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 11))).capitalize()
    paragraphs = [paragraph(rng) for _ in range(rng.randint(2, 5))]
    if index % 4 == 0:
        paragraphs.insert(1, figure_box(rng, index))
    return (
        f'---\ntime: {stamp(when)}\ntitle: "{title} {index}"\ntags: [{tags}]\n'
        f"author: Live desk\n{extra}---\n" + "\n\n".join(paragraphs) + "\n"
    )


def generate(root: Path, entries: int, stories: int = 3, seed: int = 1) -> Path:
    """Write a content folder under `root`; return it."""
    rng = random.Random(seed)
    content = root
    content.mkdir(parents=True, exist_ok=True)
    (content / "site.toml").write_text(
        'title = "Benchmark desk"\nbase_url = "https://example.org/live/"\n'
        'timezone = "Europe/London"\n'
    )
    sizes = [entries] + [max(5, entries // 100)] * (stories - 1)
    for number, size in enumerate(sizes):
        folder = content / f"story-{number + 1}"
        folder.mkdir(exist_ok=True)
        (folder / "_index.md").write_text(
            f'---\ntitle: "Story {number + 1}: live updates"\ntimezone: Europe/Kyiv\n'
            f"summary: A synthetic story of {size} entries.\n---\n{paragraph(rng)}\n"
        )
        start = datetime(2022, 2, 24, 3, 0, tzinfo=UTC)
        for index in range(size):
            moment = start + timedelta(minutes=7 * index + rng.randint(0, 5))
            when = moment.astimezone(KYIV)
            (folder / f"e{index:06d}.md").write_text(entry_text(rng, index, when))
    return content


def add_entry(content: Path, index: int) -> Path:
    """Write the newest entry of the first (largest) story, as an editor adds one; its
    number `index` past the story's last."""
    start = datetime(2022, 2, 24, 3, 0, tzinfo=UTC)
    when = (start + timedelta(minutes=7 * index + 6)).astimezone(KYIV)
    path = content / "story-1" / f"e{index:06d}.md"
    path.write_text(entry_text(random.Random(index), index, when))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--stories", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.entries, args.stories, args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
