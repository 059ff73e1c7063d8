//! `postroom seed-demo`: a made-up district, Kingsbridge Vale, to try Postroom on.
//!
//! Thousands of properties and accounts across both services (about 90% Council Tax with a
//! realistic band skew, 10% Business Rates with rateable values by kind of premises), single
//! person discounts, small business and charitable reliefs, Direct Debits for about 60%,
//! recovery stages for about 8%, a few vulnerable customers and former occupiers' closed
//! accounts; then sample emails and scanned letters quoting the demo accounts, received through
//! the same intake as the API, so `postroom serve` classifies them into the teams' queues.
//!
//! Everything is drawn from a `ChaCha` RNG with a fixed seed: the same `--accounts` and `--seed`
//! give the same district. Postcodes use the made-up area `KV` (valid in form, not in use);
//! email addresses use the reserved `example.*` domains.

use std::{
    fmt::{self, Write as _},
    io::Write as _,
};

use bytes::Bytes;
use chrono::{Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

use postroom_accounts::{
    AccountState, Change, ContactChannel, DiscountClass, Mandate, MandateStatus, PartyState, PropertyState,
    RecoveryStage, Service, category,
    change::{DiscountGrant, REFERENCE_PREFIX, ReliefGrant, ReliefKind},
};
use postroom_charges::Band;
use postroom_config::Settings;
use postroom_db::{
    accounts::{self, AccountStatus, NewAccount, NewProperty},
    entities::account,
};
use postroom_domain::Channel;
use postroom_intake::{EmailIntake, EmailLimits, IncomingEmail, OnLimit, ScanBatch, ScanFile, ScanIntake};

/// What to create.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub accounts: usize,
    pub correspondence: usize,
    pub seed: u64,
}

/// What was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub council_tax: usize,
    pub business_rates: usize,
    pub closed: usize,
    pub properties: usize,
    pub mandates: usize,
    pub single_person_discounts: usize,
    pub small_business_reliefs: usize,
    pub charitable_reliefs: usize,
    pub in_recovery: usize,
    pub vulnerable: usize,
    pub emails: usize,
    pub letters: usize,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "created the Kingsbridge Vale demo district: {} accounts ({} council tax, {} business rates; {} closed) at {} \
             properties",
            self.council_tax + self.business_rates,
            self.council_tax,
            self.business_rates,
            self.closed,
            self.properties
        )?;
        writeln!(f, "  {} direct debit mandates", self.mandates)?;
        writeln!(
            f,
            "  {} single person discounts, {} small business and {} charitable reliefs",
            self.single_person_discounts, self.small_business_reliefs, self.charitable_reliefs
        )?;
        writeln!(f, "  {} accounts in recovery, {} marked vulnerable", self.in_recovery, self.vulnerable)?;
        write!(
            f,
            "received {} emails and {} scanned letters: start `postroom serve` and the workers classify them into \
             the queues",
            self.emails, self.letters
        )
    }
}

/// Creates the demo district and its correspondence in the configured database and storage.
///
/// # Errors
/// When the database already has accounts (the demo is for an empty one), or the database,
/// storage or intake fails.
pub async fn seed_demo(settings: &Settings, options: DemoOptions) -> anyhow::Result<DemoSummary> {
    let db = crate::app::connect_database(settings).await?;
    let outcome = seed_into(&db, settings, options).await;
    db.close().await?;
    outcome
}

async fn seed_into(db: &DatabaseConnection, settings: &Settings, options: DemoOptions) -> anyhow::Result<DemoSummary> {
    let existing = account::Entity::find().count(db).await?;
    if existing > 0 {
        anyhow::bail!(
            "the database already has {existing} accounts: seed-demo only fills an empty database (use a fresh \
             data_dir or database)"
        );
    }
    let district = district(options.accounts, options.seed);
    let mut summary = summarise(&district);
    let txn = db.begin().await?;
    for account in &district {
        accounts::insert_account(&txn, account).await?;
    }
    txn.commit().await?;
    accounts::analyse_after_load(db).await?;
    let storage = crate::app::object_storage(settings)?;
    let emails = EmailIntake::new(
        db.clone(),
        storage.clone(),
        EmailLimits {
            max_bytes: settings.intake.max_email_bytes,
            max_attachments: settings.intake.max_attachments,
            max_depth: settings.intake.max_nesting_depth,
        },
    );
    let scans = ScanIntake::new(db.clone(), storage, settings.intake.max_files_per_upload);
    let now = Utc::now();
    for (i, sample) in correspondence(&district, options.correspondence, options.seed).into_iter().enumerate() {
        let minutes_ago = i64::try_from(options.correspondence - i).unwrap_or(0) * 7;
        match sample.body {
            SampleBody::Email(raw) => {
                let email = IncomingEmail {
                    raw: Bytes::from(raw),
                    channel: Channel::Email,
                    delivered_at: Some(now - Duration::minutes(minutes_ago)),
                    correlation_id: Some("seed-demo".to_owned()),
                    on_limit: OnLimit::Refuse,
                };
                emails.receive(email, now).await?;
                summary.emails += 1;
            }
            SampleBody::Letter { filename, pdf } => {
                let batch = ScanBatch {
                    files: vec![ScanFile { filename: Some(filename), bytes: Bytes::from(pdf) }],
                    received_on: None,
                    batch: Some("DEMO-POST".to_owned()),
                    correlation_id: Some("seed-demo".to_owned()),
                    channel: Channel::Scan,
                };
                scans.receive(batch, now).await?;
                summary.letters += 1;
            }
        }
    }
    Ok(summary)
}

fn summarise(district: &[NewAccount]) -> DemoSummary {
    let mut s = DemoSummary::default();
    let mut uprns = std::collections::BTreeSet::new();
    for a in district {
        match a.service {
            Service::CouncilTax => s.council_tax += 1,
            Service::BusinessRates => s.business_rates += 1,
        }
        s.closed += usize::from(a.status == AccountStatus::Closed);
        uprns.insert(a.property.uprn);
        s.mandates += usize::from(a.mandate.is_some());
        for adj in &a.adjustments {
            match (adj.category.as_str(), adj.code.as_str()) {
                (category::DISCOUNT, "single_person") => s.single_person_discounts += 1,
                (category::RELIEF, "small_business") => s.small_business_reliefs += 1,
                (category::RELIEF, "charitable") => s.charitable_reliefs += 1,
                _ => {}
            }
        }
        s.in_recovery += usize::from(a.recovery_stage.is_some());
        s.vulnerable += usize::from(a.vulnerable);
    }
    s.properties = uprns.len();
    s
}

/// The day the demo is drawn as of (the start of the 2026/27 financial year), so the district
/// does not depend on when it is made.
fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or(NaiveDate::MIN)
}

const LOCALITIES: [(&str, &str); 6] = [
    ("KV1", "Kingsbridge"),
    ("KV2", "Kingsbridge"),
    ("KV3", "Northgate"),
    ("KV4", "Eastfield"),
    ("KV5", "Ashby Vale"),
    ("KV6", "Hollins Cross"),
];

const STREET_NAMES: [&str; 72] = [
    "Acacia",
    "Ash",
    "Beech",
    "Birch",
    "Bramble",
    "Cedar",
    "Chestnut",
    "Church",
    "Clover",
    "Elm",
    "Fern",
    "Foxglove",
    "Hawthorn",
    "Hazel",
    "Heather",
    "Holly",
    "Juniper",
    "Laurel",
    "Lavender",
    "Lime",
    "Maple",
    "Meadow",
    "Mill",
    "Oak",
    "Orchard",
    "Poplar",
    "Primrose",
    "Rowan",
    "Sycamore",
    "Willow",
    "Station",
    "Victoria",
    "Albert",
    "Queens",
    "Kings",
    "Park",
    "Brook",
    "River",
    "Bridge",
    "Castle",
    "Abbey",
    "Manor",
    "Grange",
    "Farm",
    "School",
    "Windmill",
    "Spring",
    "Cherry",
    "Damson",
    "Priory",
    "Rectory",
    "Vicarage",
    "Tannery",
    "Forge",
    "Wharf",
    "Canal",
    "Hill",
    "Valley",
    "Ridge",
    "Chapel",
    "Well",
    "Moor",
    "Heath",
    "Highfield",
    "Westfield",
    "Fairfield",
    "Longmead",
    "Coppice",
    "Spinney",
    "Copse",
    "Kestrel",
    "Linnet",
];

const STREET_KINDS: [&str; 16] = [
    "Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Crescent", "Gardens", "Grove", "Place", "Court",
    "Terrace", "Rise", "View", "Walk",
];

/// Surnames, weighted roughly as common in England.
const SURNAMES: [(&str, u32); 60] = [
    ("Smith", 30),
    ("Jones", 20),
    ("Williams", 15),
    ("Taylor", 15),
    ("Brown", 15),
    ("Davies", 12),
    ("Evans", 10),
    ("Wilson", 10),
    ("Thomas", 9),
    ("Johnson", 9),
    ("Roberts", 8),
    ("Robinson", 8),
    ("Thompson", 8),
    ("Wright", 8),
    ("Walker", 8),
    ("White", 7),
    ("Edwards", 7),
    ("Hughes", 7),
    ("Green", 7),
    ("Hall", 7),
    ("Lewis", 6),
    ("Harris", 6),
    ("Clarke", 6),
    ("Patel", 8),
    ("Jackson", 6),
    ("Wood", 6),
    ("Turner", 5),
    ("Martin", 5),
    ("Cooper", 5),
    ("Hill", 5),
    ("Ward", 5),
    ("Morris", 5),
    ("Moore", 5),
    ("Clark", 5),
    ("Lee", 5),
    ("King", 5),
    ("Baker", 5),
    ("Harrison", 5),
    ("Morgan", 4),
    ("Allen", 4),
    ("Khan", 6),
    ("Ahmed", 5),
    ("Hussain", 5),
    ("Ali", 5),
    ("Begum", 4),
    ("Singh", 5),
    ("Kaur", 3),
    ("O'Brien", 3),
    ("Murphy", 3),
    ("Kelly", 3),
    ("Nowak", 2),
    ("Kowalski", 2),
    ("Okafor", 2),
    ("Mensah", 2),
    ("Campbell", 3),
    ("Stewart", 3),
    ("Bennett", 3),
    ("Shaw", 3),
    ("Chapman", 3),
    ("Fletcher", 3),
];

const FORENAMES: [&str; 48] = [
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Jessica", "Ruby", "Chloe", "Margaret", "Susan",
    "Patricia", "Helen", "Sarah", "Karen", "Aisha", "Priya", "Fatima", "Zofia", "Joan", "Linda", "Rachel", "Hannah",
    "Oliver", "George", "Harry", "Jack", "Noah", "Charlie", "Thomas", "James", "William", "David", "John", "Peter",
    "Michael", "Robert", "Mohammed", "Arjun", "Tomasz", "Daniel", "Samuel", "Joseph", "Andrew", "Stephen", "Paul",
    "Kwame",
];

/// England's dwellings by band, in tenths of a percent (A 24%, B 19.6%, … H 0.6%).
const BAND_WEIGHTS: [(Band, u32); 8] = [
    (Band::A, 240),
    (Band::B, 196),
    (Band::C, 219),
    (Band::D, 156),
    (Band::E, 96),
    (Band::F, 50),
    (Band::G, 37),
    (Band::H, 6),
];

/// Kinds of business premises: (kind, weight, RHL use, rateable value range in pounds).
const PREMISES: [(Premises, u32, bool, (u32, u32)); 10] = [
    (Premises::Shop, 30, true, (4_500, 26_000)),
    (Premises::Cafe, 10, true, (5_500, 18_000)),
    (Premises::Pub, 6, true, (11_000, 48_000)),
    (Premises::Salon, 8, true, (3_800, 12_500)),
    (Premises::CharityShop, 5, true, (6_000, 17_000)),
    (Premises::Office, 15, false, (7_500, 62_000)),
    (Premises::Surgery, 4, false, (18_000, 75_000)),
    (Premises::Workshop, 12, false, (6_000, 40_000)),
    (Premises::Warehouse, 8, false, (22_000, 140_000)),
    (Premises::Supermarket, 2, false, (180_000, 690_000)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Premises {
    Shop,
    Cafe,
    Pub,
    Salon,
    CharityShop,
    Office,
    Surgery,
    Workshop,
    Warehouse,
    Supermarket,
}

/// Recovery stages of accounts in arrears, weighted (earlier stages are commoner).
const RECOVERY: [(RecoveryStage, u32); 8] = [
    (RecoveryStage::Reminder, 34),
    (RecoveryStage::SecondReminder, 14),
    (RecoveryStage::FinalNotice, 14),
    (RecoveryStage::Summons, 14),
    (RecoveryStage::LiabilityOrder, 10),
    (RecoveryStage::AttachmentOfEarnings, 4),
    (RecoveryStage::AttachmentOfBenefits, 4),
    (RecoveryStage::Enforcement, 6),
];

/// Sort codes' first two digits of common banks (Barclays, Lloyds, HSBC, `NatWest`,
/// Santander, Nationwide).
const BANKS: [&str; 6] = ["20", "30", "40", "60", "09", "07"];

fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if pick < *w {
            return *item;
        }
        pick -= w;
    }
    items[0].0
}

fn chance(rng: &mut ChaCha8Rng, percent: u32) -> bool {
    rng.random_range(0..1000) < percent * 10
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

/// A street: its name, locality, outward code and sector, the band most of its houses have.
struct Street {
    name: String,
    locality: &'static str,
    outward: &'static str,
    sector: u32,
    band: usize,
    houses: usize,
    flats: bool,
}

/// Letters used in inward codes (those Royal Mail uses).
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

fn inward(sector: u32, unit: usize) -> String {
    let n = INWARD_LETTERS.len();
    let (a, b) = ((unit / n) % n, unit % n);
    format!("{sector}{}{}", char::from(INWARD_LETTERS[a]), char::from(INWARD_LETTERS[b]))
}

/// Someone liable: a title, forename and surname.
struct Person {
    title: &'static str,
    forename: &'static str,
    surname: &'static str,
}

impl Person {
    fn draw(rng: &mut ChaCha8Rng) -> Self {
        let forename = pick(rng, &FORENAMES);
        let female = FORENAMES.iter().position(|f| *f == forename).is_some_and(|i| i < 24);
        let title = match rng.random_range(0..10) {
            0..=3 => "",
            4 if female => "Miss",
            5 if female => "Ms",
            9 => "Dr",
            _ if female => "Mrs",
            _ => "Mr",
        };
        Self { title, forename, surname: weighted(rng, &SURNAMES) }
    }

    fn name(&self) -> String {
        if self.title.is_empty() {
            format!("{} {}", self.forename, self.surname)
        } else {
            format!("{} {} {}", self.title, self.forename, self.surname)
        }
    }

    /// As a bank has it: initial and surname in capitals, at most 18 characters (Bacs).
    fn payer(&self) -> String {
        let initial = self.forename.chars().next().unwrap_or('X');
        format!("{initial} {}", self.surname.to_uppercase()).chars().take(18).collect()
    }

    fn email(&self, n: usize) -> String {
        let domain = ["example.org", "example.com", "example.net"][n % 3];
        let surname: String = self.surname.chars().filter(char::is_ascii_alphabetic).collect();
        format!("{}.{}{}@{domain}", self.forename.to_lowercase(), surname.to_lowercase(), n % 97)
    }
}

/// The accounts of a district of `n` accounts, drawn from `seed`: references `5xxxxxxxx`
/// (Council Tax) and `6xxxxxxxx` (Business Rates), UPRNs `1000900xxxxx`.
#[must_use]
pub fn district(n: usize, seed: u64) -> Vec<NewAccount> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let business = n / 10;
    let closed = (n - business) * 4 / 100;
    let dwellings = n - business - closed;
    let mut streets = Vec::new();
    let mut capacity = 0;
    while capacity < dwellings {
        let (outward, locality) = LOCALITIES[streets.len() % LOCALITIES.len()];
        let name = format!(
            "{} {}",
            STREET_NAMES[streets.len() % STREET_NAMES.len()],
            STREET_KINDS[(streets.len() / STREET_NAMES.len() + streets.len() * 7) % STREET_KINDS.len()]
        );
        let street = Street {
            name,
            locality,
            outward,
            sector: rng.random_range(1..=9),
            band: weighted(&mut rng, &BAND_WEIGHTS.map(|(b, w)| (b as usize, w))),
            houses: rng.random_range(12..=90_usize),
            flats: chance(&mut rng, 15),
        };
        capacity += street.houses;
        streets.push(street);
    }
    let mut out: Vec<NewAccount> = Vec::with_capacity(n);
    let mut uprn = 100_090_000_000_i64;
    let mut units = 0_usize;
    'streets: for street in &streets {
        for number in 1..=street.houses {
            if out.len() == dwellings {
                break 'streets;
            }
            uprn += 1;
            let unit = units + number / 14;
            let address = if street.flats && number % 3 == 0 {
                format!("Flat {}, {} {}, {}", number % 6 + 1, number, street.name, street.locality)
            } else {
                format!("{number} {}, {}", street.name, street.locality)
            };
            // Most houses in a street are in its band or the next; some are unlike their street.
            let band_index = match rng.random_range(0..10) {
                0 => street.band.saturating_sub(1),
                1 => (street.band + 1).min(7),
                2 | 3 => weighted(&mut rng, &BAND_WEIGHTS.map(|(b, w)| (b as usize, w))),
                _ => street.band,
            };
            let property = NewProperty {
                uprn: Some(uprn),
                address,
                postcode: Some(format!("{} {}", street.outward, inward(street.sector, unit))),
                billing_authority: None,
                valuation: PropertyState {
                    band: Some(Band::ALL[band_index]),
                    rateable_value: None,
                    retail_hospitality_leisure: false,
                },
            };
            out.push(household(&mut rng, out.len(), property));
        }
        units += street.houses / 14 + 1;
    }
    for i in 0..closed {
        let at = rng.random_range(0..dwellings.max(1));
        let Some(current) = out.get(at) else { break };
        let moved_out = current.parties[0].liable_from.unwrap_or_else(as_of) - Duration::days(1);
        let mut previous = household(&mut rng, dwellings + i, current.property.clone());
        previous.status = AccountStatus::Closed;
        previous.recovery_stage = None;
        previous.mandate = None;
        previous.adjustments.clear();
        for p in &mut previous.parties {
            p.liable_from = Some(moved_out - Duration::days(rng.random_range(300..4000)));
            p.liable_to = Some(moved_out);
        }
        out.push(previous);
    }
    for i in 0..business {
        out.push(business_account(&mut rng, i, &mut uprn));
    }
    out
}

/// How long ago liabilities began, in years, weighted: people move every few years, so most
/// began recently and some decades ago.
const YEARS_LIABLE: [((i64, i64), u32); 6] =
    [((0, 1), 22), ((1, 3), 25), ((3, 6), 20), ((6, 12), 16), ((12, 20), 11), ((20, 33), 6)];

fn liable_since(rng: &mut ChaCha8Rng) -> NaiveDate {
    let (from, to) = weighted(rng, &YEARS_LIABLE);
    as_of() - Duration::days(rng.random_range(from * 365..to * 365) + 1)
}

fn contact(
    rng: &mut ChaCha8Rng,
    person: &Person,
    n: usize,
) -> (Option<String>, Option<String>, Option<ContactChannel>) {
    let email = chance(rng, 55).then(|| person.email(n));
    let phone = chance(rng, 65).then(|| {
        if chance(rng, 70) {
            format!("07700 900{:03}", rng.random_range(0..1000))
        } else {
            format!("01632 960{:03}", rng.random_range(0..1000))
        }
    });
    let channel = match (&email, &phone) {
        (Some(_), _) if chance(rng, 65) => Some(ContactChannel::Email),
        (_, Some(_)) if chance(rng, 5) => Some(ContactChannel::Phone),
        _ => Some(ContactChannel::Post),
    };
    (email, phone, channel)
}

fn mandate(rng: &mut ChaCha8Rng, reference: &str, payer: String) -> Mandate {
    Mandate {
        reference: format!("{REFERENCE_PREFIX}{reference}"),
        payer_name: payer,
        sort_code: format!("{}{:04}", pick(rng, &BANKS), rng.random_range(0..10_000)),
        account_number: format!("{:08}", rng.random_range(0..100_000_000)),
        collection_day: *[1, 1, 15, 15, 28].choose(rng).unwrap_or(&1),
        status: MandateStatus::Active,
        lodge: Vec::new(),
    }
}

/// Arrears: rarer for Direct Debit payers (3%) than others (15%), about 8% overall.
fn recovery(rng: &mut ChaCha8Rng, service: Service, has_mandate: bool) -> Option<RecoveryStage> {
    chance(rng, if has_mandate { 3 } else { 15 })
        .then(|| weighted(rng, &RECOVERY))
        .filter(|stage| stage.applies_to(service))
}

/// A Council Tax account: one or two liable people, perhaps a single person discount, a
/// Direct Debit, arrears.
fn household(rng: &mut ChaCha8Rng, i: usize, property: NewProperty) -> NewAccount {
    let reference = format!("{}", 500_000_001 + i);
    let person = Person::draw(rng);
    let since = liable_since(rng);
    let (email, phone, preferred_channel) = contact(rng, &person, i);
    let mut parties = vec![PartyState {
        name: person.name(),
        role: "liable".to_owned(),
        liable_from: Some(since),
        liable_to: None,
        email,
        phone,
        postal_address: None,
        preferred_channel,
        forwarding_address: None,
    }];
    if chance(rng, 40) {
        let partner = Person {
            surname: if chance(rng, 80) { person.surname } else { Person::draw(rng).surname },
            ..Person::draw(rng)
        };
        parties.push(PartyState {
            name: partner.name(),
            role: "joint".to_owned(),
            liable_from: Some(since),
            liable_to: None,
            email: None,
            phone: None,
            postal_address: None,
            preferred_channel: None,
            forwarding_address: None,
        });
    }
    let mut state = AccountState::new(&reference, Service::CouncilTax);
    state.property = property.valuation.clone();
    if parties.len() == 1 && chance(rng, 55) {
        let grant = Change::DiscountGrant(DiscountGrant {
            account: reference.clone(),
            discount: DiscountClass::SinglePerson,
            from: since,
            to: None,
        });
        grant.project(&mut state);
    }
    let mandate = chance(rng, 60).then(|| mandate(rng, &reference, person.payer()));
    NewAccount {
        recovery_stage: recovery(rng, Service::CouncilTax, mandate.is_some()),
        vulnerable: chance(rng, 2) && rng.random_range(0..4) > 0,
        instalments: if chance(rng, 25) { 12 } else { 10 },
        reference,
        service: Service::CouncilTax,
        status: AccountStatus::Live,
        property,
        parties,
        adjustments: state.adjustments,
        mandate,
    }
}

/// A Business Rates account: premises on the high street or an estate, a rateable value for
/// its kind, small business or charitable relief where it qualifies.
fn business_account(rng: &mut ChaCha8Rng, i: usize, uprn: &mut i64) -> NewAccount {
    let reference = format!("{}", 600_000_001 + i);
    let (kind, rhl, (low, high)) = weighted(rng, &PREMISES.map(|(k, w, rhl, range)| ((k, rhl, range), w)));
    // Valuations are skewed to the low end of each kind's range, rounded to £50.
    let skew = u64::from(rng.random_range(0..=1000_u32) * rng.random_range(0..=1000_u32));
    let rateable_value = low + u32::try_from(u64::from(high - low) * skew / 1_000_000).unwrap_or_default() / 50 * 50;
    let (outward, locality) = *LOCALITIES.choose(rng).unwrap_or(&LOCALITIES[0]);
    let number = rng.random_range(1..=140);
    let address = match kind {
        Premises::Workshop | Premises::Warehouse => {
            let estate = ["Riverside Industrial Estate", "Kingsbridge Business Park", "Tannery Lane Trading Estate"];
            format!("Unit {}, {}, {locality}", number % 40 + 1, pick(rng, &estate))
        }
        Premises::Office if chance(rng, 50) => format!("Suite {}, {} Market Place, {locality}", number % 9 + 1, number),
        _ => format!("{number} High Street, {locality}"),
    };
    let owner = Person::draw(rng);
    let surname = owner.surname;
    let name = match kind {
        Premises::Shop => {
            format!("{surname}'s {}", pick(rng, &["Bakery", "Butchers", "Newsagents", "Hardware", "Florist"]))
        }
        Premises::Cafe => format!("The {} Cafe", pick(rng, &["Copper Kettle", "Blue Door", "Old Bank", "Corner"])),
        Premises::Pub => format!("The {} Inn", pick(rng, &["Red Lion", "Kings Head", "Plough", "Swan", "Wheatsheaf"])),
        Premises::Salon => format!("{} {surname} Hair and Beauty", owner.forename),
        Premises::CharityShop => {
            pick(rng, &["St Clare's Hospice Shop", "Vale Animal Rescue Shop", "Kingsbridge Mind Shop"]).to_owned()
        }
        Premises::Office => {
            format!("{surname} & {} {}", weighted(rng, &SURNAMES), pick(rng, &["LLP", "Accountants Ltd", "Solicitors"]))
        }
        Premises::Surgery => format!("{locality} {} Practice", pick(rng, &["Dental", "Veterinary", "Physiotherapy"])),
        Premises::Workshop => {
            format!("{surname} {} Ltd", pick(rng, &["Engineering", "Joinery", "Motors", "Fabrications"]))
        }
        Premises::Warehouse => format!("{surname} Logistics Ltd"),
        Premises::Supermarket => format!("Valefresh Foods Ltd ({locality})"),
    };
    let since = liable_since(rng);
    *uprn += 1;
    let property = NewProperty {
        uprn: Some(*uprn),
        address,
        postcode: Some(format!("{outward} {}", inward(rng.random_range(1..=9), rng.random_range(0..400)))),
        billing_authority: None,
        valuation: PropertyState { band: None, rateable_value: Some(rateable_value), retail_hospitality_leisure: rhl },
    };
    let mut state = AccountState::new(&reference, Service::BusinessRates);
    state.property = property.valuation.clone();
    let relief = match kind {
        Premises::CharityShop => Some(ReliefKind::Charitable),
        _ if rateable_value <= 14_999 && chance(rng, 75) => Some(ReliefKind::SmallBusiness),
        _ => None,
    };
    if let Some(relief) = relief {
        let from = since.max(NaiveDate::from_ymd_opt(2023, 4, 1).unwrap_or(since));
        let grant = Change::ReliefGrant(ReliefGrant {
            account: reference.clone(),
            relief,
            from,
            to: None,
            qualifying_industrial: false,
        });
        grant.project(&mut state);
    }
    let (email, phone, preferred_channel) = contact(rng, &owner, 10_000 + i);
    let mandate = chance(rng, 60).then(|| {
        let payer: String =
            name.to_uppercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == ' ').take(18).collect();
        mandate(rng, &reference, payer.trim_end().to_owned())
    });
    NewAccount {
        recovery_stage: recovery(rng, Service::BusinessRates, mandate.is_some()),
        vulnerable: false,
        instalments: if chance(rng, 10) { 12 } else { 10 },
        reference,
        service: Service::BusinessRates,
        status: AccountStatus::Live,
        property,
        parties: vec![PartyState {
            name,
            role: "liable".to_owned(),
            liable_from: Some(since),
            liable_to: None,
            email,
            phone,
            postal_address: None,
            preferred_channel,
            forwarding_address: None,
        }],
        adjustments: state.adjustments,
        mandate,
    }
}

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
#[must_use]
pub fn correspondence(district: &[NewAccount], n: usize, seed: u64) -> Vec<Sample> {
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
                pdf: pdf(&format!("{subject}\n\n{text}")),
            }
        } else {
            let from = party.email.clone().unwrap_or_else(|| format!("demo.customer{}@example.org", i + 1));
            SampleBody::Email(email(&from, &party.name, &subject, &text, i, seed))
        };
        out.push(Sample { workflow: template.workflow, reference: account.reference.clone(), subject, text, body });
    }
    out
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

/// A one-page PDF whose text layer is `text` (ASCII; other characters become `?`).
fn pdf(text: &str) -> Vec<u8> {
    let mut stream = String::from("BT /F1 11 Tf 14 TL 56 780 Td\n");
    for line in text.lines().flat_map(|l| wrap(l, 88)) {
        let escaped: String = line
            .chars()
            .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
            .collect::<String>()
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        let _ = writeln!(stream, "({escaped}) Tj T*");
    }
    stream.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> \
         >>"
        .to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// `line` broken at spaces into lines of at most `width` characters (an empty line stays one).
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in line.split(' ') {
        let current = lines.last_mut().map_or(0, |l| l.len());
        if current > 0 && current + 1 + word.len() > width {
            lines.push(String::new());
        }
        if let Some(l) = lines.last_mut() {
            if !l.is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    use postroom_accounts::change::bacs_reference_problem;
    use postroom_workflows::{Catalogue, Evidence, IdentifierFinder, Weights};

    #[test]
    fn the_district_is_the_same_for_the_same_seed_and_has_the_promised_mix() {
        let a = district(3000, 7);
        assert_eq!(a, district(3000, 7), "deterministic");
        assert_ne!(a, district(3000, 8), "the seed matters");
        let s = summarise(&a);
        assert_eq!(s.council_tax + s.business_rates, 3000);
        assert_eq!(s.business_rates, 300);
        assert!(s.closed > 50 && s.properties < 3000, "former occupiers share their property: {s:?}");
        assert!((1500..=2100).contains(&s.mandates), "about 60% pay by Direct Debit: {s:?}");
        assert!((150..=330).contains(&s.in_recovery), "about 8% in recovery: {s:?}");
        assert!(s.single_person_discounts > 400 && s.small_business_reliefs > 50 && s.charitable_reliefs > 0, "{s:?}");
        assert!(s.vulnerable > 0);
        for band in Band::ALL {
            assert!(a.iter().any(|x| x.property.valuation.band == Some(band)), "band {band} appears");
        }
        let finder = IdentifierFinder::new(&[r"\b\d{8,10}\b".to_owned()]).unwrap_or_else(|e| panic!("{e}"));
        for x in &a {
            assert_eq!(finder.find(&x.reference).references, std::slice::from_ref(&x.reference));
            let postcode = x.property.postcode.clone().unwrap_or_default();
            assert_eq!(finder.find(&postcode).postcodes, std::slice::from_ref(&postcode), "a valid postcode");
            if let Some(m) = &x.mandate {
                assert_eq!(bacs_reference_problem(&m.reference), None);
                assert!(m.payer_name.chars().count() <= 18 && m.sort_code.len() == 6 && m.account_number.len() == 8);
            }
            if let Some(stage) = x.recovery_stage {
                assert!(stage.applies_to(x.service));
            }
        }
    }

    #[test]
    fn every_sample_is_classified_to_its_workflow_and_quotes_its_account() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workflows");
        let catalogue = Catalogue::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        let district = district(2000, 1);
        let samples = correspondence(&district, 60, 1);
        assert_eq!(samples.len(), 60);
        assert_eq!(samples.iter().filter(|s| matches!(s.body, SampleBody::Letter { .. })).count(), 20);
        for sample in &samples {
            let evidence =
                Evidence { text: sample.text.clone(), subject: Some(sample.subject.clone()), ..Evidence::default() };
            let got = catalogue.classify(&evidence, 3.0, Weights::default());
            assert_eq!(got.workflow.as_deref(), Some(sample.workflow), "{}\n{got:?}", sample.text);
            assert!(sample.text.contains(&sample.reference));
        }
    }

    #[test]
    fn a_letter_is_a_pdf_whose_text_is_escaped_and_wrapped() {
        let bytes = pdf("Dear (Sir)\\Madam £5");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"));
        assert!(text.contains(r"(Dear \(Sir\)\\Madam ?5) Tj"));
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("", 7), [""]);
    }
}
