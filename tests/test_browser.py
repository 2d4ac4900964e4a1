"""Headless Chromium opens the writeups and an exported notebook; no message script runs.

Chromium (Debian package ``chromium``, installed by ``scripts/install-test-deps.sh``) is
required: these tests fail, not skip, without it. It runs headless with a fresh profile and
nothing may leave loopback: pages are opened from ``file://``, every host name resolves to
nothing (``--host-resolver-rules``) and any other request would go to a dead proxy on
127.0.0.1, with background networking, component updates, sync and QUIC off.

The hostile messages (see ``tests/test_report.py``) carry ``<script>``, ``<img src=x
onerror=...>``, ``<svg onload=...>``, ``javascript:`` URLs and ``</style>`` / ``</title>``
break-outs in the Subject, display names, Received fields, verdict fields, URLs and
attachment names; every payload would set ``document.title`` to a marker. A positive control
shows the same payloads, unescaped, do fire in this browser — so "the marker is absent" means
"no script ran", not "the check cannot see scripts".

Set ``MF_SCREENSHOT_DIR`` to keep the screenshots.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

import mailforensics as mf
from mailforensics import report

from .conftest import ROOT, SAMPLE_MAIL
from .test_notebooks import execute, kernel_name  # noqa: F401  (kernel_name is a fixture)
from .test_report import JS, MARKER, hostile_analysis

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing leaves loopback
    "--proxy-server=127.0.0.1:9",  # and anything by IP goes to a dead loopback port
    "--hide-scrollbars",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is missing: run `bash scripts/install-test-deps.sh` (Debian package 'chromium')")


def run(chromium: str, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="mf-chromium-") as profile:
        return subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000", *extra, url],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "HOME": profile},
        )


def dump_dom(chromium: str, path: Path) -> str:
    proc = run(chromium, path.resolve().as_uri(), "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<html" in proc.stdout.lower(), proc.stderr[-2000:]
    return proc.stdout


def screenshot(chromium: str, path: Path, target: Path, size: str = "1280,2400") -> Path:
    proc = run(chromium, path.resolve().as_uri(), f"--screenshot={target}", f"--window-size={size}")
    assert proc.returncode == 0 and target.exists(), proc.stderr[-2000:]
    from matplotlib.image import imread

    pixels = imread(target)
    assert pixels.shape[0] > 500 and pixels.std() > 0.05, "the screenshot is blank"
    keep = os.environ.get("MF_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, Path(keep) / target.name)
    return target


def title(dom: str) -> str:
    m = re.search(r"<title>(.*?)</title>", dom, re.S)
    return m.group(1) if m else ""


def assert_no_script_ran(dom: str) -> None:
    assert MARKER not in dom, "a payload from the message ran"
    assert MARKER not in title(dom)


# --- the control --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        f"<script>{JS}</script>",
        f"<img src=x onerror={JS}>",
        f"<svg onload={JS}></svg>",
        f"</style><script>{JS}</script>",
    ],
    ids=["script", "img-onerror", "svg-onload", "style-breakout"],
)
def test_positive_control_payloads_fire_when_unescaped(chromium: str, tmp_path: Path, payload: str) -> None:
    page = tmp_path / "control.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><title>control</title><style>p{{}}{payload}</style></head>"
        f"<body><p>{payload}</p></body></html>"
    )
    dom = dump_dom(chromium, page)
    assert title(dom) == MARKER


# --- writeups -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "rfc2047"])
def test_hostile_html_writeup(chromium: str, tmp_path: Path, encoded: bool) -> None:
    a = hostile_analysis(encoded=encoded)
    page = report.to_html(a, tmp_path / f"hostile-{'encoded' if encoded else 'plain'}.html")
    dom = dump_dom(chromium, page)
    assert_no_script_ran(dom)
    assert title(dom).startswith("Email writeup: ")
    assert "&lt;script&gt;" in dom or "&lt;svg" in dom  # the payload is on the page, as text
    screenshot(chromium, page, tmp_path / f"writeup-hostile-{'encoded' if encoded else 'plain'}.png")


@pytest.mark.slow
def test_hostile_html_writeup_without_csp(chromium: str, tmp_path: Path) -> None:
    """Escaping alone holds: the same page with its Content-Security-Policy removed."""
    markup = report.render_html(hostile_analysis())
    stripped = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", markup)
    assert stripped != markup
    page = tmp_path / "no-csp.html"
    page.write_text(stripped, encoding="utf-8")
    assert_no_script_ran(dump_dom(chromium, page))


@pytest.mark.slow
def test_hostile_fragment_as_jupyter_shows_it(chromium: str, tmp_path: Path) -> None:
    """The _repr_html_ fragment inside a page with no CSP, as a notebook front end shows it."""
    page = tmp_path / "fragment.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>fragment</title></head><body>"
        + report.analysis_html(hostile_analysis())
        + report.analysis_html(hostile_analysis(encoded=True))
        + "</body></html>",
        encoding="utf-8",
    )
    dom = dump_dom(chromium, page)
    assert_no_script_ran(dom)
    assert title(dom) == "fragment"


@pytest.mark.slow
def test_hostile_markdown_writeup_rendered(chromium: str, tmp_path: Path) -> None:
    """The .md rendered by a renderer that passes raw HTML through, opened in the browser."""
    import mistune

    render = mistune.create_markdown(escape=False, plugins=["table"])
    for encoded in (False, True):
        text = report.render_markdown(hostile_analysis(encoded=encoded))
        body = render(text)
        assert isinstance(body, str)
        page = tmp_path / f"markdown-{encoded}.html"
        page.write_text(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>md</title></head><body>{body}</body></html>",
            encoding="utf-8",
        )
        dom = dump_dom(chromium, page)
        assert_no_script_ran(dom)
        assert title(dom) == "md"


@pytest.mark.slow
def test_sample_writeup_screenshot(chromium: str, tmp_path: Path) -> None:
    ctx = mf.Context.offline(
        SAMPLE_MAIL / "dns" / "evidence.jsonl", config=mf.Config(internal_domains=("example.net",))
    )
    a = mf.analyze(SAMPLE_MAIL / "eml" / "30-lookalike-dmarc-fail.eml", ctx=ctx)
    page = report.to_html(a, tmp_path / "writeup-30.html")
    dom = dump_dom(chromium, page)
    assert "Email writeup: " in title(dom) and "bank.example" in dom
    assert dom.count('src="data:image/png;base64,') == 2
    screenshot(chromium, page, tmp_path / "writeup-30.png")


# --- a notebook exported to HTML ----------------------------------------------------------


def export_html(nb: nbformat.NotebookNode, target: Path) -> Path:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb)
    target.write_text(body, encoding="utf-8")
    return target


@pytest.mark.slow
def test_exported_notebooks(chromium: str, kernel_name: str, tmp_path: Path) -> None:  # noqa: F811
    # Notebook 01 as shipped, executed and exported: it renders, with its plots.
    nb = execute("01-investigate-a-phish.ipynb", kernel_name, {"BUNDLE_DIR": str(tmp_path / "bundle")})
    page = export_html(nb, tmp_path / "01-investigate-a-phish.html")
    dom = dump_dom(chromium, page)
    assert "mf-analysis" in dom and dom.count("data:image/png;base64,") >= 2
    screenshot(chromium, page, tmp_path / "notebook-01.png", size="1280,4000")

    # A notebook showing the hostile messages (rich display, pandas tables, a plot): inert.
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    from .test_report import hostile_message

    (hostile / "plain.eml").write_bytes(hostile_message())
    (hostile / "encoded.eml").write_bytes(hostile_message(encoded=True))
    for name in ("plain.eml", "encoded.eml"):
        nb = _execute_hostile(kernel_name, hostile / name)
        page = export_html(nb, tmp_path / f"notebook-hostile-{name}.html")
        dom = dump_dom(chromium, page)
        assert_no_script_ran(dom)
        assert "mf-analysis" in dom and "&lt;script&gt;" in dom
        screenshot(chromium, page, tmp_path / f"notebook-hostile-{name}.png")


def _execute_hostile(kernel: str, message: Path) -> nbformat.NotebookNode:
    """A notebook showing a hostile message's Analysis (its _repr_html_) and plots, offline
    over an empty zone (every name NXDOMAIN), so no DNS question leaves the process."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "%matplotlib inline\n"
            "from datetime import datetime, UTC\n"
            "import mailforensics as mf\n"
            "from mailforensics.resolvers import ZoneResolver\n"
            "ctx = mf.Context(resolver=ZoneResolver.from_text(''), now=datetime(2024, 3, 22, 9, tzinfo=UTC),\n"
            "                 config=mf.Config(internal_domains=('example.net',), dnsbl_zones=()))\n"
            f"a = mf.analyze({str(message)!r}, ctx=ctx)\n"
            "a"
        ),
        nbformat.v4.new_code_cell("a.hops"),
        nbformat.v4.new_code_cell("a.findings"),
        nbformat.v4.new_code_cell("a.plot_path()"),
    ]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"hostile-{i}"
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    path = message.with_suffix(".ipynb")
    nbformat.write(nb, path)
    return execute_path(path, kernel)


def execute_path(path: Path, kernel: str) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, kernel_name=kernel, timeout=600, allow_errors=False, resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    return nb
