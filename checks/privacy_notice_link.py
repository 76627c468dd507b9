"""privacy.notice-link: does this page link to the privacy notice?

GDPR Art. 12(1) and 13 require the information to be easily accessible; the
common practice (and the Italian AgID and French DSFR models) is a footer link
on every page. A link that only names cookies or the legal notice may lead to
the privacy information, but we cannot tell from this page alone.
"""
from __future__ import annotations

from checks.base import CheckMeta, Scope
from checks.links import LinkPresenceCheck


class PrivacyNoticeLink(LinkPresenceCheck):
    meta = CheckMeta(
        id="privacy.notice-link",
        title="Page links to a privacy notice",
        principles=("privacy",),
        scope=Scope.PAGE,
        requires=("page",),
        version="1.0",
        standard="GDPR (EU) 2016/679 Art. 12(1), Art. 13",
        description="Looks for a link whose text or URL names the privacy notice or data "
                    "protection information, in the 24 EU languages.",
    )
    what = "a privacy notice"
    concepts = ("privacy",)
    maybe_concepts = ("legal_notice", "cookies")
    maybe_message = ("No link names the privacy notice, but a legal-notice or cookie link may "
                     "lead to it: verify that page")
