use super::*;

#[test]
fn a_logo_parses_with_its_own_size_and_paths() {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30">
        <style>.a { fill: #123456 }</style>
        <rect class="a" width="10" height="10"/><circle cx="50" cy="15" r="5"/></svg>"##;
    let (d, w, h) = parse(svg).expect("a logo");
    assert_eq!((w, h), (120.0, 30.0));
    assert_eq!(count_paths(d.tree.root()), 2);
}

#[test]
fn what_is_not_a_drawing_is_left_out() {
    for bytes in [
        &b"not xml at all"[..],
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"/>",
        // Text needs fonts, which the PDF's logo does without.
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><text y=\"5\">Acme</text></svg>",
        // Only an image, which is never loaded.
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><image href=\"/etc/hostname\" width=\"10\" height=\"10\"/></svg>",
    ] {
        assert!(parse(bytes).is_none(), "{}", String::from_utf8_lossy(bytes));
    }
}

#[test]
fn a_logo_that_multiplies_itself_is_left_out_quickly() {
    // Each level uses the one below ten times: 10^8 rectangles if expanded.
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\"><defs><rect id=\"l0\" width=\"1\" height=\"1\"/>",
    );
    for level in 1..=8 {
        svg.push_str(&format!("<g id=\"l{level}\">"));
        for _ in 0..10 {
            svg.push_str(&format!("<use xlink:href=\"#l{}\"/>", level - 1));
        }
        svg.push_str("</g>");
    }
    svg.push_str("</defs><use xlink:href=\"#l8\"/></svg>");
    let started = std::time::Instant::now();
    assert!(parse(svg.as_bytes()).is_none());
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}
