//! Sample correspondence from the district's customers: emails (RFC 5322) and scanned letters
//! (one-page PDFs with a text layer), each written for a workflow and quoting its account.

use std::io::Write as _;

use rand::{SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

use postroom_accounts::{RecoveryStage, Service};
use postroom_db::accounts::{AccountStatus, NewAccount};
use postroom_pdf::PdfError;

/// A sample piece of correspondence and the workflow it is written for.
#[derive(Debug, Clone)]
pub struct Sample {
    pub workflow: &'static str,
    pub reference: String,
    pub subject: String,
    pub text: String,
    pub body: SampleBody,
}

/// How a sample arrives.
#[derive(Debug, Clone)]
pub enum SampleBody {
    /// A raw RFC 5322 message.
    Email(Vec<u8>),
    /// A scanned letter: a PDF with a text layer.
    Letter { filename: String, pdf: Vec<u8> },
}

/// What a sample letter may be about, and which accounts can send it.
#[derive(Debug, Clone, Copy)]
struct Template {
    workflow: &'static str,
    subject: &'static str,
    body: &'static str,
    fits: fn(&NewAccount) -> bool,
}

fn ct(a: &NewAccount) -> bool {
    a.service == Service::CouncilTax && a.status == AccountStatus::Live
}
fn br(a: &NewAccount) -> bool {
    a.service == Service::BusinessRates
}

/// The sample letters. `{ref}`, `{name}`, `{address}`, `{postcode}` are filled from the account.
const TEMPLATES: [Template; 15] = [
    Template {
        workflow: "ct-single-person-discount",
        subject: "Single person discount",
        body: "Dear Sir or Madam,\n\nMy lodger left last month and I now live alone at {address}, {postcode}. I am the \
               only adult here, so please apply the single person discount to my council tax account {ref}.\n\n\
               Yours faithfully,\n{name}",
        fits: |a| ct(a) && a.parties.len() == 1 && a.adjustments.is_empty(),
    },
    Template {
        workflow: "ct-direct-debit-instruction",
        subject: "Paying by direct debit",
        body: "Hello,\n\nI would like to pay my council tax (account {ref}) by direct debit from now on. Please send \
               me a mandate form; my bank details are ready.\n\nThanks,\n{name}",
        fits: |a| ct(a) && a.mandate.is_none(),
    },
    Template {
        workflow: "ct-direct-debit-instruction",
        subject: "New bank details",
        body: "Dear Council Tax team,\n\nI have moved to a new bank and need to change my bank details for the \
               direct debit on account {ref}. Please cancel the old mandate and set up the new one.\n\nRegards,\n{name}",
        fits: |a| ct(a) && a.mandate.is_some(),
    },
    Template {
        workflow: "ct-moving-out",
        subject: "Moving out - final bill please",
        body: "Hi,\n\nI am moving out of {address} at the end of the month. My forwarding address will be 12 Harbour \
               View, Porthallow. Please send the final bill for account {ref} there.\n\n{name}",
        fits: ct,
    },
    Template {
        workflow: "ct-moving-in",
        subject: "Council tax for my new home",
        body: "Dear Sir/Madam,\n\nI moved into {address}, {postcode} last week (my tenancy agreement is attached) \
               and tenancy started on the 1st. The previous account was {ref}. Please set up council tax in my \
               name.\n\n{name}",
        fits: ct,
    },
    Template {
        workflow: "ct-empty-homes-premium",
        subject: "Empty property",
        body: "To whom it may concern,\n\n{address} has been an empty property since my mother went into care in \
               the spring. It is unfurnished. Will the empty homes premium apply? Account {ref}.\n\n{name}",
        fits: ct,
    },
    Template {
        workflow: "ct-payment-arrangement",
        subject: "Arrears on {ref}",
        body: "Dear Sir or Madam,\n\nI received a reminder for account {ref}. I am behind with my payments since \
               losing hours at work and cannot afford the full amount. Could we agree a payment arrangement so I \
               can pay weekly?\n\n{name}",
        fits: |a| {
            ct(a)
                && matches!(
                    a.recovery_stage,
                    Some(RecoveryStage::Reminder | RecoveryStage::SecondReminder | RecoveryStage::FinalNotice)
                )
        },
    },
    Template {
        workflow: "ct-instalments",
        subject: "Instalments",
        body: "Hello,\n\nPlease can I spread the payments on account {ref} over 12 instalments instead of 10? \
               Paying monthly instalments over 12 months would help my budgeting.\n\n{name}",
        fits: |a| ct(a) && a.instalments == 10,
    },
    Template {
        workflow: "ct-refund",
        subject: "Overpayment",
        body: "Dear Council,\n\nI think I have overpaid council tax on account {ref}; my statement shows a credit \
               on my account. Please refund the overpayment to me.\n\n{name}",
        fits: ct,
    },
    Template {
        workflow: "ct-general-enquiry",
        subject: "Copy bill",
        body: "Hello,\n\nPlease could you send me a copy of my bill for council tax account {ref}? I also have a \
               question about how much the balance is.\n\n{name}",
        fits: ct,
    },
    Template {
        workflow: "ct-summons-dispute",
        subject: "Summons {ref}",
        body: "Dear Sir,\n\nI have received a summons for account {ref} with a hearing date at the magistrates \
               court. I do not think the court costs are fair as I paid in full last week.\n\n{name}",
        fits: |a| ct(a) && a.recovery_stage == Some(RecoveryStage::Summons),
    },
    Template {
        workflow: "br-small-business-relief",
        subject: "Small business rate relief",
        body: "Dear Business Rates team,\n\n{name} is a small business and {address} is our only property. Please \
               consider us for small business rate relief on account {ref}.\n\nKind regards",
        fits: |a| {
            br(a) && a.adjustments.is_empty() && a.property.valuation.rateable_value.is_some_and(|rv| rv < 15_000)
        },
    },
    Template {
        workflow: "br-charitable-relief",
        subject: "Charitable relief",
        body: "Dear Sir or Madam,\n\nWe are a registered charity (charity number 1098765) and run a charity shop \
               at {address}. Please award mandatory charitable relief on business rates account {ref}.\n\n{name}",
        fits: |a| br(a) && a.adjustments.is_empty(),
    },
    Template {
        workflow: "br-direct-debit",
        subject: "Business rates direct debit",
        body: "Hello,\n\nWe would like to pay the business rates for {address} (account {ref}) by business rates \
               direct debit. Please tell us the sort code details you need.\n\n{name}",
        fits: |a| br(a) && a.mandate.is_none(),
    },
    Template {
        workflow: "br-empty-property-relief",
        subject: "Vacant unit",
        body: "Dear Business Rates,\n\nOur tenant left and {address} is now a vacant unit: unoccupied premises \
               since the end of last month. Please apply empty property relief to account {ref}.\n\n{name}",
        fits: br,
    },
];

/// `n` sample emails and letters about accounts of `district`, drawn from `seed`: two in three
/// emails, one in three scanned letters, cycling through the templates.
///
/// # Errors
/// If a scanned letter's PDF cannot be made (a broken build: the font is compiled in).
pub fn correspondence(district: &[NewAccount], n: usize, seed: u64) -> Result<Vec<Sample>, PdfError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_DE30);
    let mut out = Vec::with_capacity(n);
    let mut used = std::collections::HashSet::new();
    for i in 0..n {
        let template = TEMPLATES[i % TEMPLATES.len()];
        // One sample per account, so none joins another's item as related correspondence.
        let fitting: Vec<&NewAccount> =
            district.iter().filter(|a| (template.fits)(a) && !used.contains(&a.reference)).collect();
        let Some(account) = fitting.choose(&mut rng) else { continue };
        used.insert(account.reference.clone());
        let party = &account.parties[0];
        let fill = |s: &str| {
            s.replace("{ref}", &account.reference)
                .replace("{name}", &party.name)
                .replace("{address}", &account.property.address)
                .replace("{postcode}", account.property.postcode.as_deref().unwrap_or_default())
        };
        let (subject, text) = (fill(template.subject), fill(template.body));
        let body = if i % 3 == 2 {
            SampleBody::Letter {
                filename: format!("demo-letter-{:03}.pdf", i + 1),
                pdf: postroom_pdf::document(&format!("{subject}\n\n{text}"))?,
            }
        } else {
            let from = party.email.clone().unwrap_or_else(|| format!("demo.customer{}@example.org", i + 1));
            SampleBody::Email(email(&from, &party.name, &subject, &text, i, seed))
        };
        out.push(Sample { workflow: template.workflow, reference: account.reference.clone(), subject, text, body });
    }
    Ok(out)
}

fn email(from: &str, name: &str, subject: &str, text: &str, i: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write!(
        out,
        "From: {name} <{from}>\r\nTo: revenues@kingsbridge-vale.example\r\nSubject: {subject}\r\nMessage-ID: \
         <demo-{seed}-{i}@kingsbridge-vale.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; \
         charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        text.replace('\n', "\r\n")
    );
    out
}
