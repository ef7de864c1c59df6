"""宣传编辑 works with images and documents: sees the library, chooses from it and uploads into it (issue 17)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from portal.roles import APPROVER, EDITOR, HANDLER

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def _login(client, group):
    user = get_user_model().objects.create_user(username=f"u-{group}", password="x-test-password-123")
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def _png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 60), "red").save(buffer, "PNG")
    return SimpleUploadedFile("poster.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("group", [EDITOR, APPROVER])
def test_the_communications_roles_see_the_image_and_document_libraries(public_site, client, group):
    _login(client, group)
    assert get_image_model().objects.exists() and get_document_model().objects.exists()
    for url in ("/admin/images/", "/admin/documents/"):
        response = client.get(url)
        assert response.status_code == 200, url
    image = get_image_model().objects.first()
    chooser = client.get(reverse("wagtailimages_chooser:choose"))
    assert chooser.status_code == 200
    html = chooser.json()["html"]
    assert image.title in html
    assert "haven't uploaded any images" not in html
    # The chooser offers the upload tab.
    assert reverse("wagtailimages_chooser:create") in html
    document = get_document_model().objects.first()
    html = client.get(reverse("wagtaildocs_chooser:choose")).json()["html"]
    assert document.title in html
    assert reverse("wagtaildocs_chooser:create") in html


def test_the_editor_uploads_an_image_and_a_document_from_the_choosers(public_site, client, storage):
    _login(client, EDITOR)
    response = client.post(
        reverse("wagtailimages_chooser:create"),
        {
            "image-chooser-upload-title": "新张贴画",
            "image-chooser-upload-file": _png(),
            "image-chooser-upload-tags": "",
        },
    )
    assert response.status_code == 200
    assert response.json()["step"] == "chosen"
    assert get_image_model().objects.filter(title="新张贴画").exists()

    response = client.post(
        reverse("wagtaildocs_chooser:create"),
        {
            "document-chooser-upload-title": "附件2 登记表（印刷版）",
            "document-chooser-upload-file": SimpleUploadedFile("form.pdf", b"%PDF-1.4\n%%EOF\n"),
            "document-chooser-upload-tags": "",
        },
    )
    assert response.status_code == 200
    assert response.json()["step"] == "chosen"
    assert get_document_model().objects.filter(title="附件2 登记表（印刷版）").exists()


def test_registration_staff_still_have_no_image_library(public_site, client):
    _login(client, HANDLER)
    assert client.get("/admin/images/").status_code == 302
