//! The examples (SI 1992/613 Sch 1 para 10): a single person discount from 1 April
//! awarded in August, a move out in August, and a notice that does not change the charge.

use postroom_domain::WorkingCalendar;

use super::*;
use crate::{
    bill::{FinancialYear, Rates, RevisionOutcome, bill, tests::rates},
    state::{Adjustment, PartyState, Service, category},
};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn year() -> FinancialYear {
    FinancialYear::parse("2025/26").unwrap()
}

fn money(s: &str) -> Pence {
    Pence::parse(s).unwrap()
}

/// Band D (£2,280 in 2025/26), one liable party for the whole year, 10 instalments on the 1st.
fn whole_year() -> AccountState {
    let mut state = AccountState::new("5000000001", Service::CouncilTax);
    state.property.band = Some(postroom_charges::Band::D);
    state.parties.push(PartyState {
        name: "Jane Doe".to_owned(),
        role: "liable".to_owned(),
        liable_from: None,
        liable_to: None,
        email: None,
        phone: None,
        postal_address: None,
        preferred_channel: None,
        forwarding_address: None,
    });
    state
}

fn this_bill(state: &AccountState, rates: &Rates) -> Bill {
    bill(state, None, year(), None, rates).unwrap()
}

/// The first bill before `change`, then the notice issued on `on` after it, as recorded.
fn recorded(state: &mut AccountState, change: impl FnOnce(&mut AccountState), on: &str) -> (Vec<Notice>, Bill) {
    let rates = rates();
    let first = Notice::first(&this_bill(state, &rates));
    change(state);
    let after = this_bill(state, &rates);
    let revision = revision_of(&first, &after, d(on)).unwrap();
    (vec![first, revision], after)
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::england_and_wales()
}

fn amounts(instalments: &[Instalment]) -> Vec<Pence> {
    instalments.iter().map(|i| i.amount).collect()
}

#[test]
fn a_discount_from_1_april_awarded_in_august_keeps_the_instalments_due_and_demands_the_charge() {
    let mut state = whole_year();
    let spd = |s: &mut AccountState| {
        s.adjustments.push(Adjustment::new(category::DISCOUNT, "single_person", d("2025-04-01"), None));
    };
    let (notices, after) = recorded(&mut state, spd, "2025-08-15");
    assert_eq!(notices[0].notice, d("2025-03-01"), "the annual bill");
    assert_eq!(notices[1].total, money("1,710.00"));
    let shown = schedules(&state, &after, &notices, d("2025-12-01"), &calendar()).unwrap();
    assert_eq!(amounts(&shown.original.instalments), vec![money("228"); 10], "the first bill: 10 × £228");
    assert_eq!(shown.revisions.len(), 1, "nothing unrecorded: the charge is the last notice's");
    assert!(shown.revisions[0].recorded);
    let now = shown.instalments();
    assert_eq!(now[..5], shown.original.instalments[..5], "April to August stand as first demanded");
    assert_eq!(amounts(&now[5..]), vec![money("114"); 5], "the difference over September to January");
    assert_eq!(now.iter().map(|i| i.amount).sum::<Pence>(), after.charge.total, "the total demanded is the charge");
}

#[test]
fn a_move_out_in_august_has_no_instalment_after_the_end_of_liability() {
    let mut state = whole_year();
    let out = |s: &mut AccountState| s.parties[0].liable_to = Some(d("2025-08-14"));
    let (notices, after) = recorded(&mut state, out, "2025-08-20");
    assert_eq!(notices[1].liability_ended, Some(d("2025-08-14")));
    let shown = schedules(&state, &after, &notices, d("2025-08-20"), &calendar()).unwrap();
    let now = shown.instalments();
    assert!(now.iter().all(|i| i.due <= d("2025-08-14")), "{now:?}");
    let revised = &shown.revisions[0].schedule;
    assert_eq!(revised.outcome, RevisionOutcome::Overpaid { credit: money("290.47") });
    assert_eq!(revised.fallen_due - revised.credit, after.charge.total, "five × £228 less the credit is the charge");
}

#[test]
fn a_notice_that_does_not_change_the_charge_repeats_the_schedule() {
    let state = whole_year();
    let rates = rates();
    let bill = this_bill(&state, &rates);
    let first = Notice::first(&bill);
    assert_eq!(revision_of(&first, &bill, d("2025-08-15")), None, "no revision is recorded");
    let same = Notice { notice: d("2025-08-15"), ..first };
    let shown = schedules(&state, &bill, &[first, same], d("2025-08-15"), &calendar()).unwrap();
    assert_eq!(shown.instalments(), &shown.original.instalments[..]);
    assert_eq!(shown.revisions[0].schedule.outcome, RevisionOutcome::Unchanged);
    let none = schedules(&state, &bill, &[], d("2025-08-15"), &calendar()).unwrap();
    assert_eq!((none.issued, none.instalments()), (bill.issued, &bill.schedule.instalments[..]));
}

#[test]
fn a_charge_changed_without_a_recorded_notice_is_revised_on_the_day_asked_for() {
    let mut state = whole_year();
    let rates = rates();
    let first = Notice::first(&this_bill(&state, &rates));
    state.adjustments.push(Adjustment::new(category::DISCOUNT, "single_person", d("2025-04-01"), None));
    let after = this_bill(&state, &rates);
    let shown = schedules(&state, &after, &[first], d("2025-08-15"), &calendar()).unwrap();
    assert_eq!(shown.revisions.len(), 1);
    assert!(!shown.revisions[0].recorded, "what a notice that day would demand");
    assert_eq!(amounts(&shown.instalments()[5..]), vec![money("114"); 5]);
}
