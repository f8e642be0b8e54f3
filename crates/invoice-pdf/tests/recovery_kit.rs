//! The recovery kit renders as one page that poppler reads back with every part of the key, the
//! account, the server and the fingerprint, in an embedded font.

mod common;

use common::{pages_text, pdfinfo, poppler};
use jiff::civil::date;
use stint_invoice_pdf::{Paper, RecoveryKit, render_recovery_kit};

const KEY: &str = "7GQ4-2M9X-K1PZ-VW3D-8TNC-QH5R-J6BE-0YAF";

fn kit(paper: Paper) -> RecoveryKit<'static> {
    RecoveryKit {
        email: "zoë@example.org",
        server: "https://stint.example.org",
        recovery_key: KEY,
        identity_fingerprint: "64651 65742 12618 68775 97608 81208",
        made: date(2026, 12, 2),
        paper,
    }
}

#[test]
fn the_kit_is_one_page_with_the_key_the_account_and_the_server() {
    let dir = tempfile::tempdir().unwrap();
    for (paper, size) in [
        (Paper::A4, "595.276 x 841.89"),
        (Paper::Letter, "612 x 792"),
    ] {
        let bytes = render_recovery_kit(&kit(paper)).unwrap();
        let path = dir.path().join("kit.pdf");
        std::fs::write(&path, &bytes).unwrap();
        let pages = pages_text(&path);
        assert_eq!(pages.len(), 1, "{pages:#?}");
        let text = &pages[0];
        for group in KEY.split('-') {
            assert!(text.contains(group), "{group} missing: {text}");
        }
        for expected in [
            "Stint recovery kit",
            "Made on 2026-12-02",
            "zoë@example.org",
            "https://stint.example.org",
            "64651 65742 12618 68775 97608 81208",
            "stint device enrol --recovery-key",
            "Where I keep this kit",
        ] {
            assert!(text.contains(expected), "{expected:?} missing: {text}");
        }
        assert!(pdfinfo(&path, "Page size").starts_with(size), "{paper:?}");
        assert_eq!(pdfinfo(&path, "Title"), "Stint recovery kit");
        let fonts = poppler("pdffonts", &[], &path, &[]);
        assert!(
            fonts.lines().skip(2).all(|l| l.contains(" yes ")),
            "every font embedded: {fonts}"
        );
    }
}
