"""The language menu names each language in its own name, whatever the page's language (简体中文 / English)."""

import pytest

from tenants.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("accept", ["zh-hans", "en"])
def test_each_language_is_offered_in_its_own_name(client, erp, make_user, accept):
    user = make_user(language=accept)
    Membership.objects.create(user=user, enterprise=erp, role=Role.VIEWER)
    client.force_login(user)
    page = client.get("/erp/", HTTP_HOST=f"{erp.slug}.localhost", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    menu = page[page.index('id="language-form"'):page.index("</select>", page.index('id="language-form"'))]
    assert '<option value="zh-hans" lang="zh-hans"' in menu and ">简体中文</option>" in menu
    assert ">English</option>" in menu and "英语" not in menu
