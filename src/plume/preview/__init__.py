"""HTML preview of a post as the LinkedIn feed shows it, and the grid of `plume variants`.

```python
from plume.preview import render_post, write_preview, render_variants_index, screenshot
html = render_post(parse_post(text), audience="pme")          # the page, as a string
write_preview(Path("post.md"), html_out=Path("post.preview.html"))
render_variants_index(Path("out"))                            # out/index.html
```
"""

from __future__ import annotations

from pathlib import Path

from plume.preview.chromium import BrowserError, find_chromium
from plume.preview.output import check_writable, is_preview, mark_png, write_atomic
from plume.preview.render import render_post
from plume.preview.source import Post, parse_post, read_post
from plume.preview.variants import render_variants_index

__all__ = [
    "BrowserError",
    "Post",
    "default_html_path",
    "find_chromium",
    "is_preview",
    "parse_post",
    "read_post",
    "render_post",
    "render_variants_index",
    "screenshot",
    "write_png",
    "write_preview",
]


def default_html_path(post: Path, cwd: Path | None = None) -> Path:
    """`<post stem>.preview.html` in the current directory (never beside the user's file unless cwd is there)."""
    return (cwd or Path.cwd()) / f"{Path(post).stem}.preview.html"


def write_preview(post: Path, html_out: Path, *, audience: str | None = None, format: str | None = None,
                  force: bool = False) -> Path:
    """Render POST and write the page to `html_out` (atomically; only over an earlier preview unless forced)."""
    html_out = Path(html_out)
    check_writable(html_out, force)  # before any work: fail fast on a user's file
    html = render_post(read_post(Path(post)), audience=audience, format=format)
    return write_atomic(html_out, html.encode("utf-8"), force=force)


def screenshot(page: Path, *, width: int = 1280, height: int = 1100, timeout: float = 60.0) -> bytes:
    """PNG bytes of a local page in headless Chromium (see plume.preview.chromium)."""
    from plume.preview.chromium import screenshot as _shot

    return _shot(page, width=width, height=height, timeout=timeout)


def write_png(page: Path, png_out: Path, *, width: int = 1280, height: int = 1100, force: bool = False) -> Path:
    """Screenshot `page` into `png_out`, marked as a Plume picture so a later run may replace it."""
    png_out = Path(png_out)
    check_writable(png_out, force)
    return write_atomic(png_out, mark_png(screenshot(page, width=width, height=height)), force=force)
