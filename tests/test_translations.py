"""Interface translations: compiled catalogues are committed and match their sources."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def test_both_languages_have_a_catalogue():
    assert {path.parts[-3] for path in CATALOGUES} >= {"zh_Hans", "en"}


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_compiled_catalogue_is_up_to_date(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run `make messages`"
    po = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(po_path)).translated_entries()}
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path)) if e.msgid}
    assert po == mo, "the .mo file is stale: run `make messages`"


def test_chinese_interface_is_translated():
    with translation.override("zh-hans"):
        assert translation.gettext("Hunan Universal Social Insurance Registration") == "湖南省全民参保登记"
        assert translation.gettext("Skip to main content") != "Skip to main content"


def test_annex2_wording_has_english():
    with translation.override("en"):
        assert translation.gettext("待受理") != "待受理"
