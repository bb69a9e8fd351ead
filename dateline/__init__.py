"""dateline: a static-site generator for live-blog timelines with per-source figure boxes."""

__version__ = "0.1.0"
