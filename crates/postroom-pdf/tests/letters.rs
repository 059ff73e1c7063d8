//! Letters, documents and print batches read back with poppler (`pdftotext`, `pdffonts`).

use std::{io::Write as _, process::Command};

use anyhow::{Context as _, ensure};
use postroom_pdf::{
    Letter, Letterhead, WINDOW_HEIGHT_MM, WINDOW_LEFT_MM, WINDOW_TOP_MM, WINDOW_WIDTH_MM, combine, document, letter,
    page_count,
};

/// Runs a poppler tool over `pdf` and returns what it printed.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> anyhow::Result<String> {
    let mut file = tempfile::NamedTempFile::new()?;
    file.write_all(pdf)?;
    let mut command = Command::new(tool);
    command.args(args).arg(file.path());
    if tool == "pdftotext" {
        command.arg("-");
    }
    let out = command.output().with_context(|| format!("running {tool}"))?;
    ensure!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?)
}

fn text(pdf: &[u8]) -> anyhow::Result<String> {
    poppler("pdftotext", &["-enc", "UTF-8"], pdf)
}

fn head() -> Letterhead {
    Letterhead {
        council: "Kingsbridge Vale District Council".into(),
        address: vec![
            "Revenues and Benefits".into(),
            "Civic Centre, Rue de l'Église".into(),
            "Kingsbridge KV1 1AA".into(),
        ],
        contact: vec!["01234 567890".into(), "revenues@kingsbridge-vale.example".into()],
    }
}

fn recipient() -> Vec<String> {
    ["Mme Zoë Désirée", "Flat 3", "12 Acacia Avenue", "Kingsbridge", "KV2 3BB"].map(String::from).to_vec()
}

const BODY: &str = "Dear Mme Désirée,\n\nYour Council Tax balance is £123.45 for the café at 12 Acacia Avenue.\nPlease pay by 1 January.\n\nYours faithfully,\nRevenues Team";

fn sample(head: &Letterhead, recipient: &[String], body: &'static str) -> anyhow::Result<Vec<u8>> {
    Ok(letter(&Letter {
        letterhead: head,
        recipient,
        date: "7 December 2026",
        reference: "CT-000123/é",
        subject: "Council Tax: amount due £123.45",
        body,
    })?)
}

#[test]
fn every_line_of_a_letter_is_in_its_text_layer() -> anyhow::Result<()> {
    let (head, recipient) = (head(), recipient());
    let pdf = sample(&head, &recipient, BODY)?;
    let got = text(&pdf)?;
    let mut expected = vec![head.council.clone()];
    expected.extend(head.address.iter().chain(&head.contact).chain(&recipient).cloned());
    expected
        .extend(["7 December 2026", "Our reference: CT-000123/é", "Council Tax: amount due £123.45"].map(String::from));
    expected.extend(BODY.lines().filter(|l| !l.is_empty()).map(String::from));
    for line in expected {
        assert!(got.lines().any(|l| l.trim() == line), "{line:?} is not a line of:\n{got}");
    }
    assert!(got.contains("Page 1 of 1"), "{got}");
    assert_eq!(page_count(&pdf)?, 1);
    Ok(())
}

/// A body long enough for three pages: numbered paragraphs, so their order can be checked.
fn long_body() -> &'static str {
    let paragraphs: Vec<String> = (1..=60)
        .map(|i| format!("Paragraph {i}: the balance of the account is explained here in some detail once more."))
        .collect();
    Box::leak(paragraphs.join("\n\n").into_boxed_str())
}

#[test]
fn a_long_body_runs_over_numbered_pages() -> anyhow::Result<()> {
    let pdf = sample(&head(), &recipient(), long_body())?;
    assert_eq!(page_count(&pdf)?, 3);
    let got = text(&pdf)?;
    let pages: Vec<&str> = got.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), 3);
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("Page {} of 3", i + 1)), "page {}:\n{page}", i + 1);
    }
    let positions: Vec<usize> = (1..=60)
        .map(|i| got.find(&format!("Paragraph {i}:")).context(format!("paragraph {i} missing")))
        .collect::<anyhow::Result<_>>()?;
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "paragraphs out of order");
    Ok(())
}

#[test]
fn words_wider_than_the_page_are_broken_not_lost() -> anyhow::Result<()> {
    let word = "Ab".repeat(150);
    let body: &'static str = Box::leak(format!("Start {word} end").into_boxed_str());
    let pdf = sample(&head(), &recipient(), body)?;
    let bbox = poppler("pdftotext", &["-bbox"], &pdf)?;
    for w in words(&bbox) {
        assert!(w.x_max <= 210.0 * MM - 19.0 * MM, "{w:?} runs past the right margin");
    }
    let joined: String = text(&pdf)?.split_whitespace().collect();
    assert!(joined.contains(&format!("Start{word}end")), "{joined}");
    Ok(())
}

#[test]
fn hostile_text_is_printed_with_question_marks_not_a_panic() -> anyhow::Result<()> {
    let hostile =
        "ctrl\u{0}\u{7}\u{1b}[31m tab\there \u{202e}evil\u{202c} שלום عربي 👍🏽 \u{fe0f}\u{200d} e\u{301}\r\nend";
    let head = Letterhead { council: hostile.into(), address: vec![hostile.into()], contact: vec![] };
    let recipient = vec![hostile.to_owned(); 12];
    let pdf = letter(&Letter {
        letterhead: &head,
        recipient: &recipient,
        date: hostile,
        reference: hostile,
        subject: hostile,
        body: hostile,
    })?;
    let got = text(&pdf)?;
    assert!(got.contains("ctrl???[31m tab here"), "{got}");
    assert!(got.contains("end"), "{got}");
    let empty = letter(&Letter { letterhead: &head, recipient: &[], date: "", reference: "", subject: "", body: "" })?;
    assert_eq!(page_count(&empty)?, 1);
    Ok(())
}

/// PDF points per millimetre.
const MM: f64 = 72.0 / 25.4;

#[derive(Debug)]
struct Word {
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    text: String,
}

/// The words of `pdftotext -bbox` output (points from the top left of the page).
fn words(html: &str) -> Vec<Word> {
    let attr = |tag: &str, name: &str| -> f64 {
        tag.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    html.split("<word ")
        .skip(1)
        .filter_map(|w| {
            let (tag, rest) = w.split_once('>')?;
            let text = rest.split("</word>").next()?.to_owned();
            Some(Word {
                x_min: attr(tag, "xMin"),
                y_min: attr(tag, "yMin"),
                x_max: attr(tag, "xMax"),
                y_max: attr(tag, "yMax"),
                text,
            })
        })
        .collect()
}

#[test]
fn the_recipient_shows_through_a_dl_window() -> anyhow::Result<()> {
    let recipient = recipient();
    let pdf = sample(&head(), &recipient, BODY)?;
    let bbox = poppler("pdftotext", &["-bbox"], &pdf)?;
    let all = words(&bbox);
    let (left, top) = (f64::from(WINDOW_LEFT_MM) * MM, f64::from(WINDOW_TOP_MM) * MM);
    let (right, bottom) = (left + f64::from(WINDOW_WIDTH_MM) * MM, top + f64::from(WINDOW_HEIGHT_MM) * MM);
    // Every word of the address, the first line included, lies inside the window.
    for line in &recipient {
        for part in line.split(' ') {
            let inside = |w: &&Word| w.x_min >= left && w.x_max <= right && w.y_min >= top && w.y_max <= bottom;
            let found: Vec<&Word> = all.iter().filter(|w| w.text == part).collect();
            assert!(
                found.iter().any(inside),
                "{part:?} at {found:?} is outside the window ({left:.1}, {top:.1})–({right:.1}, {bottom:.1})"
            );
        }
    }
    // And nothing else is.
    for w in all.iter().filter(|w| w.y_min < bottom && w.y_max > top && w.x_min < right) {
        assert!(recipient.iter().any(|l| l.split(' ').any(|p| p == w.text)), "{w:?} shows through the window");
    }
    Ok(())
}

#[test]
fn fonts_are_embedded_with_a_unicode_map() -> anyhow::Result<()> {
    for pdf in [sample(&head(), &recipient(), BODY)?, document("£ é")?] {
        let listing = poppler("pdffonts", &[], &pdf)?;
        let fonts: Vec<&str> = listing.lines().skip(2).collect();
        ensure!(!fonts.is_empty(), "no fonts:\n{listing}");
        for font in fonts {
            let cols: Vec<&str> = font.split_whitespace().collect();
            // name type… encoding emb sub uni object ID: emb, sub and uni are the 5th–3rd from the end.
            assert_eq!(cols[cols.len() - 5..cols.len() - 2], ["yes", "yes", "yes"], "{listing}");
            assert!(font.contains("DejaVuSans"), "{listing}");
        }
    }
    Ok(())
}

#[test]
fn a_print_batch_has_every_page_of_its_letters_in_order() -> anyhow::Result<()> {
    let head = head();
    let bodies = ["First letter £1 é.", long_body(), "Third letter."];
    let letters: Vec<Vec<u8>> = bodies.iter().map(|b| sample(&head, &recipient(), b)).collect::<anyhow::Result<_>>()?;
    let counts: Vec<usize> = letters.iter().map(|l| page_count(l)).collect::<Result<_, _>>()?;
    assert_eq!(counts, [1, 3, 1]);
    let batch = combine(&letters)?;
    assert_eq!(page_count(&batch)?, 5);
    let got = text(&batch)?;
    let pages: Vec<&str> = got.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), 5);
    assert!(pages[0].contains("First letter £1 é.") && pages[0].contains("Page 1 of 1"), "{}", pages[0]);
    assert!(pages[1].contains("Paragraph 1:") && pages[1].contains("Page 1 of 3"), "{}", pages[1]);
    assert!(pages[3].contains("Paragraph 60:") && pages[3].contains("Page 3 of 3"), "{}", pages[3]);
    assert!(pages[4].contains("Third letter.") && pages[4].contains("Page 1 of 1"), "{}", pages[4]);
    assert!(matches!(combine(&[]), Err(postroom_pdf::PdfError::NothingToCombine)));
    let broken = combine(&[letters[0].clone(), b"not a pdf".to_vec()]);
    assert!(matches!(broken, Err(postroom_pdf::PdfError::Read { number: 2, .. })), "{broken:?}");
    assert!(page_count(b"%PDF-1.7 garbage").is_err());
    Ok(())
}

#[test]
fn a_document_reads_back_as_written() -> anyhow::Result<()> {
    let pdf = document("Council Tax: I moved out on 3 March.\nRent £450 paid to Mr Hélène Noël.")?;
    let got = text(&pdf)?;
    assert!(got.contains("I moved out on 3 March."), "{got}");
    assert!(got.contains("Rent £450 paid to Mr Hélène Noël."), "{got}");
    assert_eq!(page_count(&pdf)?, 1);
    let many: String = (1..=120).map(|i| format!("Line {i} of a long scanned letter.\n")).collect();
    let pdf = document(&many)?;
    assert_eq!(page_count(&pdf)?, 3);
    let got = text(&pdf)?;
    assert!(got.contains("Line 1 of") && got.contains("Line 120 of a long scanned letter."), "{got}");
    assert_eq!(page_count(&document("")?)?, 1);
    Ok(())
}
