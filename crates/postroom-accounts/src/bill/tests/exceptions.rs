//! Bills with premium exceptions (SI 2024/1007), a premium with a class C discount (LGFA 1992
//! s11B) and a class F exemption ended by probate (SI 1992/558).

use super::*;

fn exception(class: &str, from: &str, to: Option<&str>) -> Adjustment {
    adjustment(category::PREMIUM_EXCEPTION, class, from, to, serde_json::Value::Null)
}

fn long_term_empty() -> Adjustment {
    adjustment(category::PREMIUM, "long_term_empty", "2024-01-01", None, json!({ "empty_since": "2023-01-01" }))
}

/// SI 2024/1007 class G (marketed for sale, 12 months): the long-term empty premium is not
/// charged from the day the exception starts. Band D £2,280 with a 100% premium: 61 days
/// doubled (1 April–31 May) and 304 days at the plain charge.
#[test]
fn a_class_g_exception_takes_the_premium_off_its_days_si_2024_1007() {
    let mut state = ct(Band::D, None);
    state.adjustments.push(long_term_empty());
    state.adjustments.push(exception("G", "2025-06-01", Some("2026-05-31")));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    let got = lines(&bill);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("2025-04-01", "2025-05-31"));
    assert!(got[0].2.contains("premium 100%"), "{got:?}");
    assert!(!got[1].2.contains("premium"), "{got:?}");
    assert_eq!(bill.charge.total, money("2,661.04"), "£2,280 × (61 × 2 + 304) / 365");
}

/// SI 2024/1007: classes J–L except only the second-home premium and class M only the
/// long-term empty premium; E–I except both.
#[test]
fn each_exception_class_takes_off_only_its_premiums_si_2024_1007() {
    let full = money("4,560.00");
    let mut empty = ct(Band::D, None);
    empty.adjustments.push(long_term_empty());
    empty.adjustments.push(exception("J", "2025-04-01", None));
    assert_eq!(bill(&empty, None, fy("2025/26"), None, &rates()).unwrap().charge.total, full, "J: second homes only");
    empty.adjustments[1] = exception("M", "2025-04-01", Some("2026-03-31"));
    assert_eq!(bill(&empty, None, fy("2025/26"), None, &rates()).unwrap().charge.total, money("2,280.00"));

    let mut second = ct(Band::D, None);
    second.adjustments.push(adjustment(
        category::PREMIUM,
        "second_home",
        "2025-04-01",
        None,
        json!({ "percent": 100 }),
    ));
    second.adjustments.push(exception("M", "2025-04-01", Some("2026-03-31")));
    assert_eq!(bill(&second, None, fy("2025/26"), None, &rates()).unwrap().charge.total, full, "M: empty homes only");
    second.adjustments[1] = exception("K", "2025-04-01", None);
    assert_eq!(bill(&second, None, fy("2025/26"), None, &rates()).unwrap().charge.total, money("2,280.00"));
    second.adjustments[1] = exception("E", "2025-04-01", None);
    assert_eq!(bill(&second, None, fy("2025/26"), None, &rates()).unwrap().charge.total, money("2,280.00"));
}

/// LGFA 1992 s11B(1)(a): while the premium applies the class C discount does not; on the days
/// an exception (SI 2024/1007 class H) takes the premium off, the council's 25% class C
/// discount applies again.
#[test]
fn the_class_c_discount_returns_when_an_exception_lifts_the_premium_s11b() {
    let mut rates = rates();
    if let Some(local) = rates.local.get_mut("Northby").and_then(|y| y.get_mut(&fy("2025/26"))) {
        local.class_c_discount = Some(Percent::whole(25));
    }
    let mut state = ct(Band::D, None);
    state.adjustments.push(long_term_empty());
    state.adjustments.push(adjustment(category::DISCOUNT, "class_c", "2023-01-01", None, serde_json::Value::Null));
    state.adjustments.push(exception("H", "2025-10-01", Some("2026-09-30")));
    let bill = bill(&state, None, fy("2025/26"), None, &rates).unwrap();
    let got = lines(&bill);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].2.contains("not applied with a premium"), "{got:?}");
    assert!(got[1].2.contains("class C discount 25%") && !got[1].2.contains("premium"), "{got:?}");
    // 183 days at £4,560 a year; 182 days at £1,710.
    assert_eq!(got[0].3, money("2,286.25"));
    assert_eq!(got[1].3, money("852.66"));
}

/// SI 1992/558 class F: an exemption recorded with the grant of probate ends the day before six
/// months from it, whatever its stored end: granted 15 August 2025, exempt to 14 February 2026,
/// charged from 15 February (45 days of Band D £2,280).
#[test]
fn a_class_f_exemption_ends_the_day_before_six_months_from_probate_si_1992_558() {
    let mut state = ct(Band::D, None);
    state.adjustments.push(adjustment(
        category::EXEMPTION,
        "F",
        "2025-01-10",
        None,
        json!({ "probate_granted_on": "2025-08-15" }),
    ));
    let bill = bill(&state, None, fy("2025/26"), None, &rates()).unwrap();
    let got = lines(&bill);
    assert_eq!(got[0].1, "2026-02-14", "{got:?}");
    assert_eq!(bill.charge.total, money("281.10"));
}

/// An exception recorded before 1 April 2025 counts only from then (SI 2024/1007 applies from
/// the 2025/26 year): the 2024/25 bill keeps its premium. An unknown class is reported.
#[test]
fn exceptions_count_from_april_2025_and_unknown_classes_are_reported() {
    let mut rates = rates();
    let year = fy("2024/25");
    rates.band_d.get_mut("Northby").unwrap().insert(year, money("2,280.00"));
    let local = LocalRates { long_term_empty_1_year: Some(Percent::whole(100)), ..LocalRates::default() };
    rates.local.get_mut("Northby").unwrap().insert(year, local);
    let mut state = ct(Band::D, None);
    state.adjustments.push(long_term_empty());
    state.adjustments.push(exception("E", "2024-04-01", None));
    assert_eq!(bill(&state, None, year, None, &rates).unwrap().charge.total, money("4,560.00"));
    assert_eq!(bill(&state, None, fy("2025/26"), None, &rates).unwrap().charge.total, money("2,280.00"));
    state.adjustments[1] = exception("Z", "2025-04-01", None);
    let err = bill(&state, None, fy("2025/26"), None, &rates).unwrap_err();
    assert!(err.to_string().contains("unknown premium exception class"), "{err}");
}
