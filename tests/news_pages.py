"""News pages of the shapes Vietnamese outlets publish, made up for the tests.

Each page has the story (lead, body paragraphs, byline) wrapped in the furniture real
pages carry: header navigation, ad blocks, related-links lists, a comment section and a
footer. `story` lists the sentences extraction must keep, `furniture` those it must drop.
The markup follows the outlets' templates in shape only; the text is invented.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Tone marks that windows-1258 writes as separate combining characters.
_CP1258_TONES = "\u0300\u0301\u0303\u0309\u0323"


@dataclass(frozen=True)
class NewsPage:
    name: str
    html: str
    title: str
    date: str
    author: str
    url: str
    story: tuple[str, ...]
    furniture: tuple[str, ...]


NAV = ("Trang chủ", "Thời sự", "Góc nhìn", "Thế giới", "Kinh doanh", "Giải trí", "Thể thao", "Pháp luật")
FOOTER = (
    "Bản quyền thuộc về Báo điện tử Tin Nhanh, cấm sao chép dưới mọi hình thức.",
    "Giấy phép số 548/GP-BTTTT do Bộ Thông tin và Truyền thông cấp ngày 24/8/2021.",
    "Liên hệ quảng cáo qua đường dây nóng của tòa soạn.",
)
AD = "Mua căn hộ cao cấp ven sông, chiết khấu ngay 10% cho khách hàng đặt cọc trong tuần này."
HOSTILE_HEAD = (
    "<script>var ads = {};document.write('<p>Dòng chữ do mã quảng cáo chèn vào.</p>');</script>"
    "<style>body { font-family: Arial; }</style>"
)


def _nav() -> str:
    items = "".join(f'<li><a href="/muc-{i}">{name}</a></li>' for i, name in enumerate(NAV))
    return f'<header class="header"><nav class="main-nav"><ul>{items}</ul></nav></header>'


def _footer() -> str:
    return '<footer class="footer">' + "".join(f"<p>{line}</p>" for line in FOOTER) + "</footer>"


def _links(items: tuple[str, ...]) -> str:
    return "".join(f'<li><a href="/tin-{i}.html">{text}</a></li>' for i, text in enumerate(items))


BRIDGE_STORY = (
    "Hà Nội khởi công cầu Trần Hưng Đạo bắc qua sông Hồng vào sáng 19/8.",
    "Cây cầu dài hơn 5 km, gồm phần cầu chính và đường dẫn hai đầu, có tổng vốn đầu tư khoảng 15.000 tỷ đồng.",
    "Theo Sở Giao thông Vận tải Hà Nội, cầu được thiết kế với sáu làn xe cơ giới và hai làn xe thô sơ.",
    "Ông Nguyễn Văn An, Giám đốc Ban quản lý dự án, cho biết công trình dự kiến hoàn thành vào năm 2027.",
    "“Đây là cây cầu có ý nghĩa đặc biệt với người dân hai bên bờ sông”, ông An nói.",
    "Người dân quận Long Biên kỳ vọng cầu mới sẽ giảm ùn tắc trên cầu Chương Dương vào giờ cao điểm.",
)
BRIDGE_RELATED = (
    "Giá xe máy tháng này giảm mạnh tại các đại lý trên toàn quốc.",
    "Đề xuất xây thêm ba cây cầu qua sông Hồng trong giai đoạn tới.",
    "Thủ tướng yêu cầu đẩy nhanh tiến độ giải ngân vốn đầu tư công.",
)
BRIDGE_COMMENTS = (
    "Bình luận của bạn sẽ được biên tập trước khi đăng.",
    "Mong cây cầu sớm hoàn thành để người dân đỡ vất vả mỗi ngày.",
    "Tôi ở Gia Lâm, sáng nào cũng mất cả tiếng để qua cầu đi làm.",
)


def bridge_page() -> NewsPage:
    """The layout of a large national news site: lead in `p.description`, byline at the end."""
    s = BRIDGE_STORY
    html = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Hà Nội khởi công cầu Trần Hưng Đạo - Báo Tin Nhanh</title>
<meta property="og:title" content="Hà Nội khởi công cầu Trần Hưng Đạo">
<meta property="og:site_name" content="Báo Tin Nhanh">
<meta property="article:published_time" content="2025-08-19T08:30:00+07:00">
<meta name="author" content="Hoàng Minh">
<link rel="canonical" href="https://tinnhanh.vn/ha-noi-khoi-cong-cau-tran-hung-dao-4912345.html">
{HOSTILE_HEAD}
</head><body>
{_nav()}
<div class="banner ads" id="ads-top"><a href="https://quangcao.example/click">{AD}</a></div>
<section class="section page-detail"><div class="sidebar-1">
<div class="header-content"><span class="date">Thứ ba, 19/8/2025, 08:30 (GMT+7)</span></div>
<h1 class="title-detail">Hà Nội khởi công cầu Trần Hưng Đạo</h1>
<p class="description">{s[0]}</p>
<article class="fck_detail" itemprop="articleBody">
<p class="Normal">{s[1]}</p>
<p class="Normal">{s[2]}</p>
<figure><img src="data:image/png;base64,{"A" * 4000}" alt="Phối cảnh"><figcaption>Phối cảnh cầu.</figcaption></figure>
<p class="Normal">{s[3]}</p>
<p class="Normal">{s[4]}</p>
<p class="Normal">{s[5]}</p>
<p class="author_mail"><strong>Hoàng Minh</strong></p>
</article>
<div class="box-tinlienquan"><h3>Tin liên quan</h3><ul>{_links(BRIDGE_RELATED)}</ul></div>
<div class="box_comment" id="box_comment"><h3>Ý kiến bạn đọc</h3><p class="note">{BRIDGE_COMMENTS[0]}</p>
<div class="comment_item"><p class="full_content">{BRIDGE_COMMENTS[1]}</p><span class="user">Trần Lan</span></div>
<div class="comment_item"><p class="full_content">{BRIDGE_COMMENTS[2]}</p><span class="user">Lê Bình</span></div>
</div></div>
<aside class="sidebar-2"><div class="ads"><iframe src="https://quangcao.example/frame"></iframe>
<a href="javascript:alert(1)">Nhấn vào đây</a></div></aside>
</section>
{_footer()}
</body></html>"""
    return NewsPage(
        name="bridge",
        html=html,
        title="Hà Nội khởi công cầu Trần Hưng Đạo",
        date="2025-08-19",
        author="Hoàng Minh",
        url="https://tinnhanh.vn/ha-noi-khoi-cong-cau-tran-hung-dao-4912345.html",
        story=s,
        furniture=NAV + (AD,) + BRIDGE_RELATED + BRIDGE_COMMENTS + FOOTER,
    )


RICE_STORY = (
    "Giá lúa tại Đồng bằng sông Cửu Long tăng 10% trong tháng 3, mức cao nhất trong hai năm.",
    "Tại An Giang, thương lái thu mua lúa tươi với giá 8.200 đồng một kg, tăng 700 đồng so với đầu tháng.",
    "Nhiều nông dân ở Đồng Tháp cho biết vụ đông xuân năm nay được mùa, năng suất đạt 7 tấn một héc-ta.",
    "Hiệp hội Lương thực Việt Nam nhận định nhu cầu nhập khẩu gạo từ Philippines và Indonesia vẫn ở mức cao.",
    "Các doanh nghiệp xuất khẩu đã ký hợp đồng giao hàng đến hết quý II.",
)
RICE_READ_MORE = "Xuất khẩu gạo năm ngoái lập kỷ lục hơn 5 tỷ USD."
RICE_RELATED = (
    "Giá cà phê hôm nay tiếp tục lập đỉnh mới tại Tây Nguyên.",
    "Nông dân miền Tây thu hoạch sầu riêng sớm để kịp bán Tết.",
)
RICE_TAGS = ("giá lúa", "xuất khẩu gạo", "Đồng bằng sông Cửu Long")
RICE_COMMENTS = ("Giá lúa tăng thì người nông dân mới có lãi, mong giá giữ được lâu.",)


def rice_page() -> NewsPage:
    """A site whose lead is an `h2.detail-sapo` outside the content box, with a "read more"
    box inside the story, the author in a card and tags under it."""
    s = RICE_STORY
    html = f"""<!DOCTYPE html>
<html lang="vi"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Giá lúa tăng mạnh, nông dân miền Tây phấn khởi | Báo Đồng Bằng</title>
<meta property="og:title" content="Giá lúa tăng mạnh, nông dân miền Tây phấn khởi">
<meta property="og:url" content="https://dongbang.vn/gia-lua-tang-manh-20250314.htm">
<meta name="pubdate" content="2025-03-14T06:00:00+07:00">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Giá lúa tăng mạnh, nông dân miền Tây phấn khởi", "datePublished": "2025-03-14T06:00:00+07:00",
"author": {{"@type": "Person", "name": "Phạm Thu Hà"}}}}</script>
{HOSTILE_HEAD}
</head><body>
<div id="admzone-top" class="adv"><a href="https://quangcao.example/x">{AD}</a></div>
{_nav()}
<div class="detail-container">
<div class="detail-top"><div class="detail-time">14/03/2025 06:00 GMT+7</div></div>
<h1 class="detail-title article-title">Giá lúa tăng mạnh, nông dân miền Tây phấn khởi</h1>
<h2 class="detail-sapo">{s[0]}</h2>
<div class="detail-cmain"><div class="detail-content afcbc-body" data-role="content">
<p>{s[1]}</p>
<p>{s[2]}</p>
<div class="VCSortableInPreviewMode" type="RelatedOneNews"><div class="relate-box">Đọc thêm:
<a href="/xuat-khau-gao.htm">{RICE_READ_MORE}</a></div></div>
<p>{s[3]}</p>
<p>{s[4]}</p>
</div>
<div class="author-info"><div class="name">Phạm Thu Hà</div></div>
<div class="detail-tab"><ul class="tags">{"".join(f'<li><a href="/tag/{i}">{t}</a></li>' for i, t in enumerate(RICE_TAGS))}</ul></div>
</div>
<div class="box-related"><div class="box-title">Tin cùng chuyên mục</div><ul>{_links(RICE_RELATED)}</ul></div>
<div class="lst-comment" id="comment"><div class="title-comment">Bình luận</div>
<div class="item-comment"><span class="name">Nguyễn Hùng</span><p class="contentcomment">{RICE_COMMENTS[0]}</p></div></div>
</div>
{_footer()}
</body></html>"""
    return NewsPage(
        name="rice",
        html=html,
        title="Giá lúa tăng mạnh, nông dân miền Tây phấn khởi",
        date="2025-03-14",
        author="Phạm Thu Hà",
        url="https://dongbang.vn/gia-lua-tang-manh-20250314.htm",
        story=s,
        furniture=NAV + (AD, RICE_READ_MORE) + RICE_RELATED + RICE_COMMENTS + FOOTER,
    )


STORM_STORY = (
    "(Tin Việt) - Bão số 5 đổ bộ vào Hà Tĩnh và Quảng Bình chiều 25/8 với sức gió mạnh cấp 12.",
    "Trung tâm Dự báo khí tượng thủy văn quốc gia cho biết mưa lớn sẽ kéo dài đến hết ngày 27/8.",
    "Hơn 30.000 người dân vùng ven biển đã được sơ tán đến nơi an toàn trước khi bão đổ bộ.",
    "Ủy ban nhân dân tỉnh Hà Tĩnh yêu cầu các trường học cho học sinh nghỉ học trong hai ngày.",
    "Lực lượng cứu hộ đã sẵn sàng ở các huyện ven biển để ứng phó với lũ quét và sạt lở đất.",
)
STORM_RELATED = (
    "Miền Bắc chuyển rét sau đợt không khí lạnh đầu mùa.",
    "Người dân Huế tất bật chằng chống nhà cửa trước mùa mưa bão.",
    "Cảnh báo triều cường tại TP.HCM vào cuối tháng này.",
)
STORM_COMMENTS = ("Mong bà con miền Trung bình an qua cơn bão này.",)


def storm_page() -> NewsPage:
    """An `article.singular-container` layout: a "(Site) -" lead, related articles as a
    list of cards after the story, comments loaded into an empty box."""
    s = STORM_STORY
    html = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="UTF-8">
<title>Bão số 5 đổ bộ Hà Tĩnh - Quảng Bình | Báo Tin Việt</title>
<meta property="og:title" content="Bão số 5 đổ bộ Hà Tĩnh - Quảng Bình">
<meta property="article:published_time" content="2025-08-25T17:45:00+07:00">
<link rel="canonical" href="https://tinviet.com.vn/xa-hoi/bao-so-5-do-bo-ha-tinh-quang-binh-20250825174500.htm">
{HOSTILE_HEAD}
</head><body>
{_nav()}
<main><div class="grid-container"><div class="singular-wrap">
<article class="singular-container">
<h1 class="title-page detail">Bão số 5 đổ bộ Hà Tĩnh - Quảng Bình</h1>
<div class="author-wrap"><div class="author-name"><a href="/tac-gia/ngoc-lan.htm"><b>Ngọc Lan</b></a></div>
<time class="author-time" datetime="2025-08-25 17:45">Thứ hai, 25/08/2025 - 17:45</time></div>
<h2 class="singular-sapo">{s[0]}</h2>
<div class="singular-content">
<p>{s[1]}</p>
<p>{s[2]}</p>
<div class="ad-inline"><ins class="adsbygoogle">{AD}</ins></div>
<p>{s[3]}</p>
<p>{s[4]}</p>
</div>
</article>
<div class="article-related"><h3 class="related-title">Tin liên quan</h3>
{"".join(f'<article class="article-item"><h3 class="article-title"><a href="/r{i}.htm">{t}</a></h3></article>' for i, t in enumerate(STORM_RELATED))}
</div>
<div id="comment" class="comment-wrap"><h3>Bình luận (1)</h3>
<div class="comment-item"><b>Minh Tuấn</b><div class="comment-text">{STORM_COMMENTS[0]}</div></div></div>
</div></div></main>
{_footer()}
</body></html>"""
    return NewsPage(
        name="storm",
        html=html,
        title="Bão số 5 đổ bộ Hà Tĩnh - Quảng Bình",
        date="2025-08-25",
        author="Ngọc Lan",
        url="https://tinviet.com.vn/xa-hoi/bao-so-5-do-bo-ha-tinh-quang-binh-20250825174500.htm",
        story=s,
        furniture=NAV + (AD,) + STORM_RELATED + STORM_COMMENTS + FOOTER,
    )


LEGACY_STORY = (
    "Sáng nay, Hội đồng nhân dân thành phố Huế đã thông qua đề án trùng tu cổng Ngọ Môn.",
    "Theo đề án, việc trùng tu sẽ kéo dài ba năm và giữ nguyên kiến trúc gỗ của lầu Ngũ Phụng.",
    "Các chuyên gia bảo tồn đánh giá đây là công trình cấp thiết vì nhiều cột gỗ đã bị mối mọt.",
    "Du khách vẫn được tham quan Đại Nội trong thời gian trùng tu, trừ khu vực đang thi công.",
)
LEGACY_MENU = ("Tin trong nước", "Tin quốc tế", "Văn hóa", "Du lịch")
LEGACY_RELATED = ("Lễ hội Festival Huế năm nay thu hút hàng vạn du khách.",)


def legacy_page() -> NewsPage:
    """An old table layout, as many regional sites still serve it, declared windows-1258."""
    s = LEGACY_STORY
    menu = "".join(f'<td class="menu"><a href="/m{i}.asp">{m}</a></td>' for i, m in enumerate(LEGACY_MENU))
    html = f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">
<title>Trùng tu cổng Ngọ Môn</title>
</head><body>
<table width="100%"><tr>{menu}</tr></table>
<table width="100%"><tr><td width="20%" class="left"><a href="/qc.asp">{AD}</a></td>
<td class="content">
<font class="title" size="4"><b>Trùng tu cổng Ngọ Môn</b></font>
<p><font face="Times New Roman">{s[0]}</font></p>
<p><font face="Times New Roman">{s[1]}</font></p>
<p><font face="Times New Roman">{s[2]}</font></p>
<p><font face="Times New Roman">{s[3]}</font></p>
<p align="right"><b>Minh Châu</b></p>
</td><td width="20%" class="right"><b>Tin khác:</b><br><a href="/l.asp">{LEGACY_RELATED[0]}</a></td></tr></table>
<table width="100%"><tr><td class="footer">{FOOTER[0]}</td></tr></table>
</body></html>"""
    return NewsPage(
        name="legacy-cp1258",
        html=html,
        title="Trùng tu cổng Ngọ Môn",
        date="",
        author="",
        url="",
        story=s,
        furniture=LEGACY_MENU + (AD,) + LEGACY_RELATED + (FOOTER[0],),
    )


EXAM_STORY = (
    "Bộ Giáo dục và Đào tạo công bố phương án thi tốt nghiệp trung học phổ thông năm 2026 với bốn môn thi.",
    "Theo phương án mới, thí sinh thi bắt buộc Toán, Ngữ văn và chọn thêm hai môn trong số các môn còn lại.",
    "Thứ trưởng Phạm Ngọc Thưởng cho biết phương án nhằm giảm áp lực cho học sinh và tiết kiệm chi phí cho xã hội.",
    "Nhiều giáo viên ở Hà Nội đánh giá việc công bố sớm giúp nhà trường chủ động xây dựng kế hoạch ôn tập.",
)
EXAM_READ_MORE = "Điểm chuẩn đại học năm nay tăng ở nhiều ngành kỹ thuật."
EXAM_RELATED = ("Học sinh lớp 12 cần chuẩn bị gì cho kỳ thi sắp tới?",)
EXAM_COMMENTS = ("Bài viết rất hữu ích, cảm ơn tác giả.",)


def exam_page() -> NewsPage:
    """BEM-style classes: the lead in `div.detail__summary`, a read-more box in the story."""
    s = EXAM_STORY
    url = "https://thanhxuan.vn/cong-bo-phuong-an-thi-2026-185251102.htm"
    html = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Công bố phương án thi tốt nghiệp 2026 - Báo Thanh Xuân</title>
<meta property="og:title" content="Công bố phương án thi tốt nghiệp 2026">
<meta property="article:published_time" content="2025-11-02T10:15:00+07:00">
<link rel="canonical" href="{url}">{HOSTILE_HEAD}</head><body>
{_nav()}<div class="ads_middle"><a href="/qc">{AD}</a></div>
<div class="detail__cmain"><div class="detail__meta"><div class="detail__author"><a href="/tg/1">Mai Hương</a></div>
<div class="detail__time">02/11/2025 10:15</div></div>
<h1 class="detail__title">Công bố phương án thi tốt nghiệp 2026</h1>
<div class="detail__summary">{s[0]}</div>
<div class="detail__content"><p>{s[1]}</p>
<div class="detail__related"><b>Đọc thêm</b><a href="/d1">{EXAM_READ_MORE}</a></div><p>{s[2]}</p><p>{s[3]}</p></div>
<div class="detail__tags"><a href="/tag/thi">thi tốt nghiệp</a></div></div>
<div class="box-category"><h3>Tin cùng chuyên mục</h3><ul>{_links(EXAM_RELATED)}</ul></div>
<div class="comment-list"><div class="comment-item"><b>Lan Anh</b><p>{EXAM_COMMENTS[0]}</p></div></div>
{_footer()}</body></html>"""
    return NewsPage(
        name="exam",
        html=html,
        title="Công bố phương án thi tốt nghiệp 2026",
        date="2025-11-02",
        author="Mai Hương",
        url=url,
        story=s,
        furniture=NAV + (AD, EXAM_READ_MORE) + EXAM_RELATED + EXAM_COMMENTS + FOOTER,
    )


FINAL_STORY = (
    "Đội tuyển Việt Nam thắng Thái Lan 2-1 trong trận chung kết lượt về tối 5/1 trên sân Rajamangala.",
    "Bàn thắng quyết định được ghi ở phút 82 sau pha phối hợp đẹp mắt bên cánh trái.",
    "Huấn luyện viên trưởng dành lời khen cho tinh thần thi đấu của các cầu thủ trẻ.",
    "Hàng nghìn cổ động viên đổ ra đường ăn mừng chức vô địch tại Hà Nội và TP.HCM.",
)
FINAL_READ_MORE = "Xem thêm: Lịch thi đấu vòng loại World Cup của đội tuyển Việt Nam."
FINAL_RELATED = ("Cầu thủ trẻ nhất đội tuyển được các câu lạc bộ châu Âu chú ý.",)
FINAL_COMMENTS = ("Quá tuyệt vời, tự hào Việt Nam!",)


def final_page() -> NewsPage:
    """CamelCase classes (`h2.ArticleLead`), a "Xem thêm:" paragraph inside the story, a
    photo in a table, the date only in `itemprop` markup and no canonical link."""
    s = FINAL_STORY
    html = f"""<!DOCTYPE html><html><head>
<meta http-equiv="content-type" content="text/html; charset=UTF-8">
<title>Việt Nam vô địch sau chiến thắng ở Rajamangala</title>
<meta name="description" content="{s[0]}"><meta itemprop="datePublished" content="2026-01-05T22:30:00+07:00">
{HOSTILE_HEAD}</head><body>
<div id="header">{_nav()}</div>
<div class="ArticleDetail"><h1 class="ArticleTitle">Việt Nam vô địch sau chiến thắng ở Rajamangala</h1>
<div class="ArticleDate">05/01/2026 22:30</div>
<h2 class="ArticleLead">{s[0]}</h2>
<div class="ArticleContent maincontent"><p>{s[1]}</p>
<table class="picture" align="center"><tr><td><img src="/a.jpg"></td></tr>
<tr><td class="caption">Các cầu thủ ăn mừng.</td></tr></table>
<p><strong>{FINAL_READ_MORE}</strong></p><p>{s[2]}</p><p>{s[3]}</p>
<p class="author" style="text-align:right"><strong>Quốc Khánh</strong></p></div>
<div class="article-relate"><ul>{_links(FINAL_RELATED)}</ul></div>
<div class="box-comment"><div class="cmt"><span>Hùng</span><p>{FINAL_COMMENTS[0]}</p></div></div></div>
<div class="banner-right"><a href="/qc">{AD}</a></div>
{_footer()}</body></html>"""
    return NewsPage(
        name="final",
        html=html,
        title="Việt Nam vô địch sau chiến thắng ở Rajamangala",
        date="2026-01-05",
        author="Quốc Khánh",
        url="",
        story=s,
        furniture=NAV + (AD, FINAL_READ_MORE) + FINAL_RELATED + FINAL_COMMENTS + FOOTER,
    )


def all_pages() -> list[NewsPage]:
    return [bridge_page(), rice_page(), storm_page(), legacy_page(), exam_page(), final_page()]


def windows_1258(text: str) -> bytes:
    """Encode as windows-1258 writes Vietnamese: a precomposed base letter (ă, ê, ơ...)
    followed by its tone mark as a separate combining character where no precomposed
    form exists in the code page."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            marks = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in marks if c not in _CP1258_TONES))
            out.append((base + "".join(c for c in marks if c in _CP1258_TONES)).encode("cp1258"))
    return b"".join(out)
