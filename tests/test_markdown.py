"""The one Markdown renderer: real structure in, no script out, rendered once."""
from courses.markdown import cache_info, render_markdown


def test_lists_headings_and_emphasis_become_html():
    html = render_markdown("### Kop\n\n- een\n- twee\n\n**vet** en *schuin*\n\n1. eerste\n2. tweede")
    assert "<h3>Kop</h3>" in html
    assert "<ul>" in html and "<li>een</li>" in html
    assert "<ol>" in html
    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html


def test_script_and_event_handlers_are_removed():
    html = render_markdown(
        '<script>alert(1)</script>\n\n<img src="x.png" alt="x" onerror="alert(2)">\n\n'
        '[klik](javascript:alert(3))\n\n<p style="color:red">rood</p>\n\n<iframe src="https://evil.example"></iframe>'
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "style=" not in html
    assert "<iframe" not in html
    assert 'alt="x"' in html


def test_links_get_noopener():
    html = render_markdown("[edie](https://www.edie.net/)")
    assert 'rel="noopener noreferrer"' in html


def test_same_text_is_rendered_once():
    text = "Een unieke tekst om de cache te testen: 8c1f."
    render_markdown(text)
    before = cache_info()
    for _ in range(5):
        render_markdown(text)
    after = cache_info()
    assert after.hits - before.hits == 5
    assert after.misses == before.misses


def test_markdownx_preview_uses_the_same_renderer(admin_client):
    response = admin_client.post("/markdownx/markdownify/", {"content": "**vet** <script>x</script>"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>vet</strong>" in body
    assert "<script" not in body


def test_dutch_elisions_get_an_apostrophe_not_an_opening_quote():
    html = render_markdown("Het is 's werelds eerste, 't is waar. Hij zei 'ja' tegen kmo's.")
    assert "’s werelds" in html and "’t is" in html
    assert "‘s" not in html and "‘t" not in html
    assert "‘ja’" in html  # real quotes still curl both ways
    assert "kmo’s" in html
