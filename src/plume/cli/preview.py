"""`plume preview`: a post as the LinkedIn feed shows it (HTML page, optional PNG)."""

from __future__ import annotations

from pathlib import Path

import typer

from plume.cli._app import app, err, user_errors


def _size(value: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in value.lower().split("x"))
    except ValueError:
        raise typer.BadParameter("expected WIDTHxHEIGHT, e.g. 1280x1100") from None
    if not (200 <= w <= 8000 and 200 <= h <= 16000):
        raise typer.BadParameter("width 200–8000, height 200–16000")
    return w, h


@app.command("preview")
def preview(
    post: Path = typer.Argument(..., help="The post (Markdown, optional YAML frontmatter).", dir_okay=False),
    audience: str = typer.Option(None, "--audience", "-a", help="Audience to lint for (default: frontmatter)."),
    format: str = typer.Option(None, "--format", "-f", help="Format (default: frontmatter, else linkedin)."),
    html: Path = typer.Option(None, "--html", help="Write the page here (default: ./<stem>.preview.html)."),
    png: Path = typer.Option(None, "--png", help="Also render a PNG with headless Chromium."),
    size: str = typer.Option("1280x1100", "--size", help="PNG window size, WIDTHxHEIGHT."),
    open_: bool = typer.Option(False, "--open", help="Open the page in the default browser."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file that is not a Plume preview."),
) -> None:
    """Show a post as the LinkedIn feed does: cut at « voir plus » (mobile, desktop), lint marks.

    The page goes to --html, else to ./<stem>.preview.html; with only --png or --open, to a temporary
    folder instead (removed after the picture unless --open). An existing file is replaced only when it
    is an earlier Plume preview, or with --force.
    """
    import shutil
    import tempfile

    from plume import preview as pv

    width, height = _size(size)
    scratch: Path | None = None
    with user_errors():
        if png is not None:
            pv.check_writable(png, force)
        if html is None and (png is not None or open_):
            scratch = Path(tempfile.mkdtemp(prefix="plume-preview-"))
            html = scratch / f"{post.stem}.preview.html"
        elif html is None:
            html = pv.default_html_path(post)
        try:
            page = pv.write_preview(post, html, audience=audience, format=format, force=force)
            if scratch is None or open_:
                print(page)
            if png is not None:
                print(pv.write_png(page, png, width=width, height=height, force=force))
        finally:
            if scratch is not None and not open_:
                shutil.rmtree(scratch, ignore_errors=True)
        if open_:
            import webbrowser

            if not webbrowser.open(page.resolve().as_uri()):
                err(f"no browser to open {page}")
