//! Existing PDFs read with lopdf: joined into one print batch, and their pages counted.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::PdfError;

/// Page attributes a page may inherit from its ancestors in the page tree (ISO 32000-1, 7.7.3.4),
/// copied onto each page before it moves into the new tree.
const INHERITABLE: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// One PDF with every page of `pdfs`, in order (a day's print batch for the print room).
///
/// # Errors
/// [`PdfError::NothingToCombine`] for an empty slice, [`PdfError::Read`] naming the first PDF that
/// does not parse, [`PdfError::Combine`] if the result cannot be written.
pub fn combine(pdfs: &[Vec<u8>]) -> Result<Vec<u8>, PdfError> {
    if pdfs.is_empty() {
        return Err(PdfError::NothingToCombine);
    }
    let mut objects = BTreeMap::new();
    let mut kids = Vec::new();
    let mut next_id = 1;
    for (i, bytes) in pdfs.iter().enumerate() {
        let mut doc = Document::load_mem(bytes).map_err(|source| PdfError::Read { number: i + 1, source })?;
        doc.renumber_objects_with(next_id);
        next_id = doc.max_id + 1;
        for page in doc.get_pages().into_values() {
            let inherited = inherited(&doc, page);
            let dict = doc.get_dictionary_mut(page).map_err(PdfError::Combine)?;
            for (key, value) in inherited {
                if !dict.has(key) {
                    dict.set(key, value);
                }
            }
            kids.push(page);
        }
        objects.extend(doc.objects);
    }

    let mut out = Document::with_version("1.7");
    out.objects = objects;
    out.max_id = next_id - 1;
    let pages_id = out.new_object_id();
    let catalog_id = out.new_object_id();
    for kid in &kids {
        out.get_dictionary_mut(*kid).map_err(PdfError::Combine)?.set("Parent", pages_id);
    }
    let count = i64::try_from(kids.len()).unwrap_or(i64::MAX);
    let mut pages = Dictionary::new();
    pages.set("Type", Object::Name(b"Pages".to_vec()));
    pages.set("Kids", kids.into_iter().map(Object::Reference).collect::<Vec<_>>());
    pages.set("Count", count);
    out.objects.insert(pages_id, Object::Dictionary(pages));
    let mut catalog = Dictionary::new();
    catalog.set("Type", Object::Name(b"Catalog".to_vec()));
    catalog.set("Pages", pages_id);
    out.objects.insert(catalog_id, Object::Dictionary(catalog));
    out.trailer.set("Root", catalog_id);
    // The old catalogs and page-tree nodes are no longer reachable.
    out.prune_objects();
    let mut bytes = Vec::new();
    out.save_to(&mut bytes).map_err(|e| PdfError::Combine(e.into()))?;
    Ok(bytes)
}

/// The inheritable attributes `page` would get from its ancestors (the nearest one wins).
fn inherited(doc: &Document, page: ObjectId) -> Vec<(&'static [u8], Object)> {
    let parent = |id| doc.get_dictionary(id).ok()?.get(b"Parent").ok()?.as_reference().ok();
    let mut found: Vec<(&'static [u8], Object)> = Vec::new();
    let mut node = parent(page);
    // The depth bound stops a page tree whose Parent links loop.
    for _ in 0..64 {
        let Some(id) = node else { break };
        let Ok(dict) = doc.get_dictionary(id) else { break };
        for key in INHERITABLE {
            if !found.iter().any(|(k, _)| *k == key)
                && let Ok(value) = dict.get(key)
            {
                found.push((key, value.clone()));
            }
        }
        node = parent(id);
    }
    found
}

/// Number of pages of a PDF (used by tests and the print-batch listing).
///
/// # Errors
/// [`PdfError::Read`] if `pdf` does not parse.
pub fn page_count(pdf: &[u8]) -> Result<usize, PdfError> {
    let doc = Document::load_mem(pdf).map_err(|source| PdfError::Read { number: 1, source })?;
    Ok(doc.get_pages().len())
}
