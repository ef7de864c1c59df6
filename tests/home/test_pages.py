"""Public pages in both languages: one h1, landmarks, alt text, Open Graph, hreflang, breadcrumbs, menu, feeds."""

import json
import re
from xml.etree import ElementTree

import pytest

pytestmark = pytest.mark.django_db

PUBLIC_PATHS = [
    "/",
    "/notices/",
    "/notices/universal-registration-notice/",
    "/qa/",
    "/posters/",
    "/posters/register-now-poster/",
    "/work-schedule/",
    "/search/?q=参保",
]
EN_PATHS = ["/en" + p if not p.startswith("/search") else "/en/search/?q=card" for p in PUBLIC_PATHS]


@pytest.mark.parametrize("path", PUBLIC_PATHS + EN_PATHS)
def test_public_page_structure(client, public_site, db, path):
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", body)) == 1, path
    assert 'role="banner"' in body and 'role="contentinfo"' in body and '<main id="main-content"' in body
    for nav in re.findall(r"<nav\b[^>]*>", body):
        assert "aria-label=" in nav, nav
    for img in re.findall(r"<img\b[^>]*>", body):
        assert re.search(r'alt="[^"]+"', img), img
    assert '<meta property="og:title"' in body
    assert 'hreflang="zh-hans"' in body and 'hreflang="en"' in body


def test_english_pages_are_in_english(client, public_site, db):
    for path in EN_PATHS[:-1]:
        body = client.get(path).content.decode()
        assert '<html lang="en"' in body
        main = body.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]
        text = re.sub(r"<[^>]+>", " ", main)
        # Poster images carry Chinese text by design; their alt text says so in English.
        han = re.findall(r"[\u4e00-\u9fff]", text)
        assert len(han) < 10, (path, "".join(han)[:80])


def test_language_switcher_and_alternate_links_point_at_the_translation(client, public_site, db):
    body = client.get("/notices/universal-registration-notice/").content.decode()
    assert 'href="/en/notices/universal-registration-notice/" lang="en" hreflang="en"' in body
    alternate = (
        '<link rel="alternate" hreflang="en" href="http://testserver/en/notices/universal-registration-notice/">'
    )
    assert alternate in body
    body = client.get("/en/qa/").content.decode()
    assert 'href="/qa/" lang="zh-hans" hreflang="zh-hans"' in body


def test_notice_page_shows_its_details_and_last_update(client, public_site, db):
    body = client.get("/notices/universal-registration-notice/").content.decode()
    assert "湖南省人力资源和社会保障厅" in body
    assert "湘人社通告〔2015〕1号" in body
    assert '<time datetime="2015-05-20">' in body and '<time datetime="2015-06-01">' in body
    assert 'class="last-updated"' in body
    assert "<table" in body and '<th scope="col">阶段</th>' in body
    assert "download>附件：全民参保登记宣传张贴画（打印文件）</a>" in body
    assert '<meta property="og:type" content="article">' in body
    assert '<meta property="og:description" content="全省开展全民参保登记。' in body


def test_english_notice_table_is_translated(client, public_site, db):
    body = client.get("/en/notices/universal-registration-notice/").content.decode()
    assert "<caption>Timetable of universal registration</caption>" in body
    assert '<th scope="col">Stage</th>' in body
    assert "June 2015 to December 2016" in body


def test_breadcrumbs_and_main_menu(client, public_site, db):
    body = client.get("/notices/universal-registration-notice/").content.decode()
    crumbs = body.split('<nav class="breadcrumbs', 1)[1].split("</nav>", 1)[0]
    assert 'href="/"' in crumbs and 'href="/notices/"' in crumbs and 'aria-current="page"' in crumbs
    menu = body.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for href in ['href="/notices/"', 'href="/qa/"', 'href="/posters/"', 'href="/work-schedule/"']:
        assert href in menu
    assert '<nav class="breadcrumbs' not in client.get("/").content.decode()


def test_home_page_links_to_everything(client, public_site, db):
    body = client.get("/").content.decode()
    assert "/notices/universal-registration-notice/" in body  # latest notices
    assert 'href="/status/"' in body  # status lookup fallback
    for href in ["/qa/", "/posters/", "/work-schedule/"]:
        assert f'href="{href}"' in body
    assert 'href="/en/status/"' in client.get("/en/").content.decode()


def test_home_page_status_link_follows_the_chosen_page(client, public_site, db):
    from home.models import HomePage

    home = HomePage.objects.get(locale__language_code="zh-hans")
    home.status_lookup_page = home.get_children().get(slug="qa")
    home.save_revision().publish()
    assert re.search(r'<a class="[^"]*" href="/qa/">查询登记进度</a>', client.get("/").content.decode())


def test_poster_gallery_has_responsive_images_and_downloads(client, public_site, db):
    body = client.get("/posters/").content.decode()
    imgs = re.findall(r"<img\b[^>]*>", body)
    assert len(imgs) == 3
    for img in imgs:
        assert "srcset=" in img and "sizes=" in img
    downloads = re.findall(r'<a class="download" href="([^"]+)" download>', body)
    assert len(downloads) == 3
    response = client.get(downloads[0])
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"<svg" in data and "全民参保 登记有我".encode() in data
    poster = client.get("/posters/register-now-poster/").content.decode()
    assert "<picture>" in poster and 'type="image/webp"' in poster


def test_notice_index_paginates_newest_first(client, public_site, db):
    from home.models import NoticeIndexPage, NoticePage
    from tests.home.helpers import add_notices

    index = NoticeIndexPage.objects.get(locale__language_code="zh-hans")
    add_notices(index, 11)
    body = client.get("/notices/").content.decode()
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', body)
    assert len(dates) == NoticeIndexPage.per_page
    assert dates == sorted(dates, reverse=True)
    assert 'rel="next"' in body
    second = client.get("/notices/?page=2").content.decode()
    assert "测试通知 0" in second and "测试通知 10" not in second
    assert client.get("/notices/?page=99").status_code == 200
    assert NoticePage.objects.live().child_of(index).count() == 13


def test_rss_and_atom_feeds(client, public_site, db):
    rss = client.get("/feeds/notices/rss/")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    tree = ElementTree.fromstring(rss.content)  # noqa: S314 (our own response)
    titles = [item.findtext("title") for item in tree.iter("item")]
    assert titles[0] == "关于开展全民参保登记入户调查的公告"
    assert len(titles) == 2
    links = [item.findtext("link") for item in tree.iter("item")]
    assert links[0].endswith("/notices/home-visits-announcement/")
    atom = client.get("/en/feeds/notices/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"Announcement of door-to-door registration visits" in atom.content
    assert "/en/feeds/notices/rss/" in client.get("/en/notices/").content.decode()


def test_sitemap_lists_the_pages_in_both_languages(client, public_site, db):
    body = client.get("/sitemap.xml").content.decode()
    paths = ["/notices/home-visits-announcement/", "/en/qa/", "/work-schedule/", "/en/posters/register-now-poster/"]
    for path in paths:
        assert path in body, path


def test_robots_txt_points_to_the_sitemap(client, public_site, db):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_open_graph_image_for_posters(client, public_site, db):
    body = client.get("/posters/register-now-poster/").content.decode()
    assert re.search(r'<meta property="og:image" content="http://testserver/[^"]+\.png">', body)
    assert '<meta property="og:image:alt" content="红色张贴画' in body


def test_faq_jsonld_is_valid(client, public_site, db):
    body = client.get("/qa/").content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "FAQPage" and len(data["mainEntity"]) >= 15


# --- pages made by the factories (tests/factories/pages.py) -------------------------------


def _main(body):
    return body.split('<main id="main-content"', 1)[1].split("</main>", 1)[0]


def test_factory_notice_renders_every_block_of_its_body(client, public_site, db):
    from tests.factories.pages import NoticePageFactory

    notice = NoticePageFactory()
    blocks = {block.block_type: block.value for block in reversed(notice.body)}
    assert set(blocks) == {"heading", "paragraph", "table", "image", "attachment"}
    response = client.get(notice.url)
    assert response.status_code == 200
    main = _main(response.content.decode())
    assert f'<h1 id="notice-title">{notice.title}</h1>' in main
    assert f"<h2>{blocks['heading']['text']}</h2>" in main
    for paragraph in (b.value for b in notice.body if b.block_type == "paragraph"):
        assert f'<div class="rich-text">{paragraph}</div>' in main
    table = blocks["table"]
    assert f"<caption>{table['table_caption']}</caption>" in main
    assert all(f'<th scope="col">{cell}</th>' in main for cell in table["data"][0])
    assert f"<td>{table['data'][1][1]}</td>" in main
    figure = main.split('<figure class="content-image">', 1)[1].split("</figure>", 1)[0]
    assert f'alt="{blocks["image"]["alt_text"]}"' in figure and "srcset=" in figure
    assert f"<figcaption>{blocks['image']['caption']}</figcaption>" in figure
    attachment = blocks["attachment"]
    link = re.search(r'<a href="([^"]+)" download>' + re.escape(attachment["title"]) + "</a>", main)
    assert link and "(PDF" in main
    download = client.get(link.group(1))
    assert download.status_code == 200
    data = b"".join(download.streaming_content) if download.streaming else download.content
    assert data.startswith(b"%PDF")
    assert notice.document_number in main and notice.issuing_authority in main


def test_factory_notice_is_listed_first_in_the_index_feeds_and_sitemap(client, public_site, db):
    from tests.factories.pages import NoticePageFactory

    notice = NoticePageFactory()  # issued today: newer than every seeded notice
    index = client.get("/notices/").content.decode()
    assert re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', index)[0] == notice.issue_date.isoformat()
    assert f'href="{notice.url}"' in index and notice.summary in index
    home = client.get("/").content.decode()
    assert f'href="{notice.url}"' in home  # latest notices on the home page
    rss = ElementTree.fromstring(client.get("/feeds/notices/rss/").content)  # noqa: S314 (our own response)
    first = next(rss.iter("item"))
    assert first.findtext("title") == notice.title and first.findtext("description") == notice.summary
    assert first.findtext("link") == f"http://testserver{notice.url}"
    atom = client.get("/feeds/notices/atom/").content.decode()
    assert notice.title in atom
    sitemap = client.get("/sitemap.xml").content.decode()
    assert re.search(rf"<loc>http://[^<]+{re.escape(notice.url)}</loc>", sitemap)  # the Site's host name
    # Found by the site search through any word of its body.
    paragraph_text = re.sub(r"<[^>]+>", "", str(next(b.value for b in notice.body if b.block_type == "paragraph")))
    results = client.get("/search/", {"q": paragraph_text[:6]}).content.decode()
    assert f'href="{notice.url}"' in results


def test_a_draft_made_by_the_factory_is_nowhere_public(client, public_site, db):
    from tests.factories.pages import NoticePageFactory

    draft = NoticePageFactory(draft=True, title="尚未发布的通知草稿")
    assert draft.get_latest_revision() is not None and not draft.live
    assert client.get(f"/notices/{draft.slug}/").status_code == 404
    for path in ("/notices/", "/", "/feeds/notices/rss/", "/sitemap.xml", "/search/?q=尚未发布"):
        assert "尚未发布的通知草稿" not in client.get(path).content.decode(), path


def test_factory_body_can_be_chosen_block_by_block(client, public_site, db):
    from tests.factories.pages import NoticePageFactory

    notice = NoticePageFactory(
        body__0__heading__text="办理地点",
        body__0__heading__level="h3",
        body__1__paragraph__value="<p>到<b>社区社会保障所</b>办理。</p>",
    )
    assert [b.block_type for b in notice.body] == ["heading", "paragraph"]
    main = _main(client.get(notice.url).content.decode())
    assert "<h3>办理地点</h3>" in main and "<b>社区社会保障所</b>" in main
    assert "<table" not in main and "<figure" not in main


def test_factory_posters_appear_in_the_gallery_with_their_print_files(client, public_site, db):
    from tests.factories.pages import PosterPageFactory

    poster = PosterPageFactory()
    gallery = client.get("/posters/").content.decode()
    assert len(re.findall(r"<img\b[^>]*>", gallery)) == 4  # three seeded posters and this one
    assert f'alt="{poster.alt_text}"' in gallery
    assert poster.print_file.url in gallery
    page = client.get(poster.url).content.decode()
    assert "<picture>" in page and poster.caption in page


def test_factory_schedule_renders_the_work_items(client, public_site, db):
    """A schedule page shows the work items (home.WorkItem, issue 15), whatever its old body holds."""
    from home.work_items import WorkItem
    from tests.factories.pages import SchedulePageFactory

    SchedulePageFactory(slug="test-schedule")  # beside the seeded one, under the Chinese home page
    response = client.get("/test-schedule/")
    assert response.status_code == 200
    main = _main(response.content.decode())
    for phase in ("准备阶段", "实施阶段", "完善阶段"):
        assert phase in main
    for item in WorkItem.objects.all():
        assert item.item in main and item.deadline in main
