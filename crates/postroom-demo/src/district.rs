//! The district's properties and accounts: streets of houses and flats, households with their
//! discounts, Direct Debits and recovery, former occupiers, and businesses with their reliefs.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

use postroom_accounts::{
    AccountState, Change, ContactChannel, DiscountClass, Mandate, MandateStatus, PartyState, PropertyState,
    RecoveryStage, Service,
    change::{DiscountGrant, REFERENCE_PREFIX, ReliefGrant, ReliefKind},
};
use postroom_charges::Band;
use postroom_db::accounts::{AccountStatus, NewAccount, NewProperty};

use crate::tables::{
    BAND_WEIGHTS, BANKS, FORENAMES, LOCALITIES, PREMISES, Premises, RECOVERY, STREET_KINDS, STREET_NAMES, SURNAMES,
    chance, pick, weighted,
};

/// The day the demo is drawn as of (the start of the 2026/27 financial year), so the district
/// does not depend on when it is made.
fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or(NaiveDate::MIN)
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
            exemption: None,
            amount_pence: None,
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
