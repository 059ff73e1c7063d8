//! What the district is drawn from: localities, street names, surnames and forenames with
//! their frequencies, Council Tax bands in England's proportions, kinds of business premises,
//! recovery stages and banks; and the weighted draws.

use rand::{Rng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

use postroom_accounts::RecoveryStage;
use postroom_charges::Band;

pub(crate) const LOCALITIES: [(&str, &str); 6] = [
    ("KV1", "Kingsbridge"),
    ("KV2", "Kingsbridge"),
    ("KV3", "Northgate"),
    ("KV4", "Eastfield"),
    ("KV5", "Ashby Vale"),
    ("KV6", "Hollins Cross"),
];

pub(crate) const STREET_NAMES: [&str; 72] = [
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

pub(crate) const STREET_KINDS: [&str; 16] = [
    "Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Crescent", "Gardens", "Grove", "Place", "Court",
    "Terrace", "Rise", "View", "Walk",
];

/// Surnames, weighted roughly as common in England.
pub(crate) const SURNAMES: [(&str, u32); 60] = [
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

pub(crate) const FORENAMES: [&str; 48] = [
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Jessica", "Ruby", "Chloe", "Margaret", "Susan",
    "Patricia", "Helen", "Sarah", "Karen", "Aisha", "Priya", "Fatima", "Zofia", "Joan", "Linda", "Rachel", "Hannah",
    "Oliver", "George", "Harry", "Jack", "Noah", "Charlie", "Thomas", "James", "William", "David", "John", "Peter",
    "Michael", "Robert", "Mohammed", "Arjun", "Tomasz", "Daniel", "Samuel", "Joseph", "Andrew", "Stephen", "Paul",
    "Kwame",
];

/// England's dwellings by band, in tenths of a percent (A 24%, B 19.6%, … H 0.6%).
pub(crate) const BAND_WEIGHTS: [(Band, u32); 8] = [
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
pub(crate) const PREMISES: [(Premises, u32, bool, (u32, u32)); 10] = [
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
pub(crate) enum Premises {
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
pub(crate) const RECOVERY: [(RecoveryStage, u32); 8] = [
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
pub(crate) const BANKS: [&str; 6] = ["20", "30", "40", "60", "09", "07"];

pub(crate) fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
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

pub(crate) fn chance(rng: &mut ChaCha8Rng, percent: u32) -> bool {
    rng.random_range(0..1000) < percent * 10
}

pub(crate) fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}
