import os

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from .common import OUR_ADDONS


@tagged("post_install", "-at_install")
class TestChineseTranslation(TransactionCase):
    """Every term our addons show to a user has a Chinese translation."""

    def test_zh_cn_po_is_complete(self):
        for addon in OUR_ADDONS:
            with self.subTest(addon=addon):
                po_path = os.path.join(get_module_path(addon), "i18n", "zh_CN.po")
                self.assertTrue(os.path.isfile(po_path), f"{po_path} is missing")
                translated = {
                    entry.msgid
                    for entry in polib.pofile(po_path)
                    if entry.msgstr.strip() and not entry.obsolete and "fuzzy" not in entry.flags
                }
                terms = {row[4] for row in TranslationModuleReader(self.env.cr, modules=[addon])}
                missing = sorted(terms - translated)
                self.assertFalse(missing, f"{addon}: untranslated terms in zh_CN.po: {missing[:20]}")
