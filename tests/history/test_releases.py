"""Releases: made by `manage.py release` or the admin, never changed; their pages, their
API, and their data package, the same bytes at every download."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from frictionless import Package, system

from atlas.releases import release_create
from atlas.views import ReleaseIndexView
from core.dataset import dataset_version
from core.models import Release
from engagement.models import Cell
from tests.helpers import body, brief_cell, get_page

API = "/api/v1"
pytestmark = pytest.mark.usefixtures("kb")


def package_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(body(response)))


def test_the_command_freezes_the_current_state(start):
    out = io.StringIO()
    call_command("release", "2025.1", "--title=Spring", "--notes=The brief, as seeded.", stdout=out)
    release = Release.objects.get(tag="2025.1")
    assert (release.title, release.notes, release.version) == (
        "Spring",
        "The brief, as seeded.",
        start,
    )
    assert release.counts["cells"] == Cell.objects.count() == 64
    assert release.counts["documents"] == 2
    assert f"Release 2025.1 made: dataset version {start}, 64 cells" in out.getvalue()
    assert release.package.sha256 == hashlib.sha256(bytes(release.package.content)).hexdigest()


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("v1.0", "A release is already tagged “v1.0”."),
        ("has space", "tag: Letters, digits"),
        (".leading", "tag: Letters, digits"),
        ("x" * 65, "tag: "),
        ("compare", "a word of the releases' pages"),
        ("current", "a word of the releases' pages"),
    ],
)
def test_the_command_refuses_a_bad_or_taken_tag_and_writes_nothing(release, tag, message):
    with pytest.raises(CommandError, match="No release made: ") as error:
        call_command("release", tag, stdout=io.StringIO())
    assert message in str(error.value)
    assert list(Release.objects.values_list("tag", flat=True)) == ["v1.0"]


def test_an_editor_makes_a_release_in_the_admin_and_cannot_change_it(client, editor):
    client.force_login(editor)
    add = reverse("admin:core_release_add")
    response = client.post(add, {"tag": "2025.2", "title": "Summer", "notes": "More cells."})
    assert response.status_code == 302, response.context and response.context["errors"]
    release = Release.objects.get(tag="2025.2")
    assert release.version == dataset_version().version and release.package.size > 0
    change = reverse("admin:core_release_change", args=[release.pk])
    page = client.get(change)
    assert page.status_code == 200  # to see, read-only
    assert 'name="title"' not in page.content.decode()
    assert client.post(change, {"tag": "2025.2", "title": "Changed"}).status_code == 403
    delete = reverse("admin:core_release_delete", args=[release.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    release.refresh_from_db()
    assert release.title == "Summer"
    # A taken or reserved tag is a form error, and nothing is made.
    for tag in ("2025.2", "compare"):
        response = client.post(add, {"tag": tag, "title": "Again"})
        assert response.status_code == 200 and response.context["errors"]
    assert Release.objects.count() == 1


def test_a_release_cannot_be_written_through_the_api(client_editor, release):
    url = f"{API}/releases/{release.tag}/"
    assert client_editor.get(url).status_code == 200
    assert client_editor.patch(url, {"title": "Other"}, format="json").status_code == 405
    assert client_editor.delete(url).status_code == 405
    assert client_editor.post(f"{API}/releases/", {"tag": "x"}, format="json").status_code == 405
    assert Release.objects.get().title == "The brief"


def test_the_api_lists_releases(client, release):
    response = client.get(f"{API}/releases/")
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item == {
        "tag": "v1.0",
        "title": "The brief",
        "notes": "Seeded from the brief.",
        "created_at": item["created_at"],
        "dataset_version": release.version,
        "counts": release.counts,
        "datapackage_url": "http://testserver/releases/v1.0/datapackage.zip",
        "datapackage_sha256": release.package.sha256,
        "datapackage_bytes": release.package.size,
        "api_url": "http://testserver/api/v1/releases/v1.0/",
        "html_url": "http://testserver/releases/v1.0/",
    }
    assert client.get(f"{API}/releases/nope/").status_code == 404


def test_the_release_pages(client, release):
    index = get_page(client, "/releases/")
    assert '<a href="/releases/v1.0/">v1.0</a>' in index and "The brief" in index
    detail = get_page(client, "/releases/v1.0/")
    assert "<h1>Release v1.0: The brief</h1>" in detail
    assert "Seeded from the brief." in detail
    assert f"<dd>{release.version}</dd>" in detail
    assert release.package.sha256 in detail
    assert '<a href="/?release=v1.0">The matrix as it stood</a>' in detail
    assert '<tr><th scope="row">cells</th><td>64</td></tr>' in detail
    assert client.get("/releases/v9.9/").status_code == 404
    for query, name in (("page=2", "page"), ("page=%00", "page"), ("tag=v1.0", "tag")):
        assert f"Parameter <code>{name}</code>" in get_page(
            client, f"/releases/?{query}", status=400
        )
    assert client.get("/releases/v9.9/datapackage.zip").status_code == 404


def test_the_release_index_pages_from_the_newest(client, monkeypatch):
    monkeypatch.setattr(ReleaseIndexView, "paginate_by", 1)
    for tag in ("v1.0", "v1.1", "v1.2"):
        release_create(tag=tag, title=f"Release {tag}")
    first = get_page(client, "/releases/")
    assert "Newer releases" not in first
    assert '<a href="?page=2" rel="next">Older releases</a>' in first
    middle = get_page(client, "/releases/?page=2")
    assert '<nav class="pager" aria-label="More releases">' in middle
    assert '<a href="?page=1" rel="prev">Newer releases</a>' in middle
    assert '<a href="?page=3" rel="next">Older releases</a>' in middle
    last = get_page(client, "/releases/?page=3")
    assert "Older releases" not in last and "Newer releases" in last


def test_the_package_is_the_same_bytes_at_every_download_and_holds_the_old_text(
    client, client_editor, release, tmp_path
):
    cell = brief_cell("standards", "separation")
    old_text = cell.text
    client_editor.patch(
        f"{API}/cells/{cell.pk}/", {"kind": "analyst", "text": "Rewritten since"}, format="json"
    )
    first, second = client.get(release.datapackage_path), client.get(release.datapackage_path)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == bytes(release.package.content)
    assert first["ETag"] == f'"{release.package.sha256}"'
    assert 'filename="engagement-atlas-v1.0-datapackage.zip"' in first["Content-Disposition"]
    assert first["X-Dataset-Version"] == str(release.version)

    archive = package_of(first)
    cells = archive.read("data/cells.csv").decode()
    assert old_text in cells and "Rewritten since" not in cells
    assert (
        "Rewritten since"
        in package_of(client.get("/export/datapackage.zip")).read("data/cells.csv").decode()
    )
    archive.extractall(tmp_path)
    with system.use_context(trusted=True):
        report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = Package(str(tmp_path / "datapackage.json"))
    assert descriptor.title == "Engagement Atlas knowledge base, release v1.0"
    assert descriptor.version == str(release.version)
