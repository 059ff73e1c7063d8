//! Property tests for the money and calendar arithmetic.

use chrono::{Datelike, Days, NaiveDate};
use postroom_charges::{
    Band, BandRounding, BusinessRatesInput, CouncilTaxInput, DatePeriod, Discount, DiscountPeriod, FinancialYear,
    FirstInstalment, InstalmentPlan, Multipliers, Pence, RateableValue, Relief, ReliefPeriod, Revision,
    RevisionOutcome, ScheduleRequest, Service, business_rates_charge, council_tax_charge, instalment_schedule,
    revise_schedule,
};
use proptest::prelude::*;

fn day_in(year: FinancialYear, offset: i64) -> NaiveDate {
    year.start().checked_add_days(Days::new(offset.rem_euclid(year.days()) as u64)).unwrap_or(year.start())
}

fn band() -> impl Strategy<Value = Band> {
    proptest::sample::select(Band::ALL.to_vec())
}

proptest! {
    /// SI 1992/613 Sch 1 para 10 / SI 1989/1058 Sch 1 para 6: a revised schedule demands the
    /// revised charge, or what already fell due if that is more (the rest a credit); what fell
    /// due stands; after the end of liability nothing new falls due but a balance that had no
    /// date left (one sum 14 days after the notice); an unchanged total repeats the original.
    #[test]
    fn revised_schedules_sum_to_the_revised_charge_or_what_already_fell_due(
        total in 0_i64..10_000_000,
        revised in 0_i64..10_000_000,
        issued_offset in -60_i64..280,
        notice_offset in 0_i64..365,
        ended_offset in proptest::option::of(0_i64..365),
        direct_debit_notice in proptest::option::of(10_u64..25),
        day in 1_u32..=28,
        nndr in any::<bool>(),
        twelve in any::<bool>(),
    ) {
        let year = FinancialYear::starting(2025)?;
        let issued = year.start().checked_add_signed(chrono::Duration::days(issued_offset)).unwrap_or(year.start());
        let service = if nndr { Service::BusinessRates } else { Service::CouncilTax };
        let original = instalment_schedule(&ScheduleRequest {
            total: Pence::new(total),
            issued,
            year,
            service,
            plan: if twelve { InstalmentPlan::TwelveMonthly } else { InstalmentPlan::TenMonthly },
            collection_day: day,
            earliest_collection: None,
            first_instalment: Default::default(),
        })?;
        let notice = day_in(year, notice_offset).max(issued);
        let liability_ended = ended_offset.map(|o| day_in(year, o));
        let revision = Revision {
            service, revised_total: Pence::new(revised), notice, liability_ended, balance_due_after_days: 14,
            earliest_changed_collection: direct_debit_notice.and_then(|d| notice.checked_add_days(Days::new(d))),
        };
        let r = revise_schedule(&original, &revision)?;
        let fallen: Pence = original.instalments.iter().filter(|i| i.due <= notice).map(|i| i.amount).sum();
        prop_assert_eq!(r.fallen_due, fallen);
        let demanded: Pence = r.instalments.iter().map(|i| i.amount).sum();
        if r.outcome == RevisionOutcome::Unchanged {
            prop_assert_eq!(&r.instalments, &original.instalments);
        } else {
            prop_assert_eq!(demanded, Pence::new(revised).max(fallen));
            prop_assert_eq!(r.credit, (fallen - Pence::new(revised)).max(Pence::ZERO));
        }
        for (k, i) in r.instalments.iter().enumerate() {
            prop_assert_eq!(i.number as usize, k + 1);
            prop_assert!(i.amount > Pence::ZERO);
            if i.due <= notice {
                prop_assert_eq!(Some(i), original.instalments.get(k), "what fell due stands");
            }
            // Anything but an original instalment, or one lowered on its own date (step 2), is a
            // new amount: 14 days' notice, and the Direct Debit advance notice.
            let same_date = original.instalments.iter().find(|o| o.due == i.due);
            if same_date.is_none_or(|o| o.amount < i.amount) {
                prop_assert!((i.due - notice).num_days() >= 14, "a new amount on {} needs 14 days", i.due);
                let dd = revision.earliest_changed_collection;
                prop_assert!(dd.is_none_or(|e| i.due >= e), "{} before the advance notice allows", i.due);
            }
            if let (Some(end), true) = (liability_ended, i.due > notice) {
                let single = r.outcome == RevisionOutcome::SingleSum { due: i.due };
                prop_assert!(i.due <= end || single, "{} after the end {}", i.due, end);
            }
        }
        if revised == total && liability_ended.is_none() {
            prop_assert_eq!(r.outcome, RevisionOutcome::Unchanged);
        }
    }

    #[test]
    fn schedules_sum_to_the_total_in_whole_pounds_after_the_first(
        total in 0_i64..50_000_000,
        issued_offset in -120_i64..420,
        day in 1_u32..=28,
        nndr in any::<bool>(),
        twelve in any::<bool>(),
        direct_debit_notice in proptest::option::of(0_u64..30),
        collection_day_only in any::<bool>(),
    ) {
        let year = FinancialYear::starting(2025)?;
        let issued = year.start().checked_add_signed(chrono::Duration::days(issued_offset)).unwrap_or(year.start());
        let earliest_collection = direct_debit_notice.and_then(|d| issued.checked_add_days(Days::new(d)));
        let request = ScheduleRequest {
            total: Pence::new(total),
            issued,
            year,
            service: if nndr { Service::BusinessRates } else { Service::CouncilTax },
            plan: if twelve { InstalmentPlan::TwelveMonthly } else { InstalmentPlan::TenMonthly },
            collection_day: day,
            earliest_collection,
            first_instalment: if collection_day_only {
                FirstInstalment::CollectionDayOnly
            } else {
                FirstInstalment::EarliestLawfulDay
            },
        };
        let schedule = instalment_schedule(&request)?;
        let sum: Pence = schedule.instalments.iter().map(|i| i.amount).sum();
        prop_assert_eq!(sum, Pence::new(total));
        prop_assert!(schedule.instalments.iter().skip(1).all(|i| i.amount.is_whole_pounds()));
        let cap = if twelve { 12 } else { 10 };
        prop_assert!(schedule.instalments.len() <= cap);
        let minimum = request.service.minimum_instalment();
        if schedule.instalments.len() > 1 {
            prop_assert!(schedule.instalments.iter().all(|i| i.amount >= minimum));
        }
        for (k, i) in schedule.instalments.iter().enumerate() {
            prop_assert!((i.due - issued).num_days() >= 14);
            prop_assert!(earliest_collection.is_none_or(|e| i.due >= e), "{} before the Direct Debit notice allows", i.due);
            if k > 0 {
                prop_assert_eq!(i.due.day(), day);
            }
            if k > 0 {
                prop_assert!(year.contains(i.due), "{} outside {}", i.due, year);
            }
        }
    }

    #[test]
    fn splitting_liability_changes_the_total_by_at_most_a_penny_per_line(
        band in band(),
        band_d in 50_000_i64..500_000,
        a in 0_i64..366,
        b in 0_i64..366,
        cuts in proptest::collection::vec(0_i64..366, 0..6),
        leap in any::<bool>(),
    ) {
        let year = FinancialYear::starting(if leap { 2027 } else { 2025 })?;
        let (x, y) = (day_in(year, a), day_in(year, b));
        let (from, to) = (x.min(y), x.max(y));
        let whole = DatePeriod::new(from, to)?;
        let charge = |liability| council_tax_charge(&CouncilTaxInput {
            year, band, band_d_annual: Pence::new(band_d), liability,
            disabled_reduction: vec![], discounts: vec![], premiums: vec![], band_rounding: BandRounding::Exact,
        });
        let pieces = whole.split_at(cuts.iter().map(|c| day_in(year, *c)));
        let mut sum = Pence::ZERO;
        for piece in &pieces {
            sum = sum + charge(*piece)?.total;
        }
        let diff = (sum - charge(whole)?.total).pence().abs();
        prop_assert!(diff <= pieces.len() as i64, "diff {diff}p over {} pieces", pieces.len());
    }

    #[test]
    fn breakdown_lines_are_within_half_a_penny_each_of_the_exact_charge(
        band_d in 50_000_i64..500_000,
        a in 0_i64..365,
        b in 0_i64..365,
    ) {
        let year = FinancialYear::starting(2025)?;
        let liability = DatePeriod::new(year.start(), year.end())?;
        let spd = DatePeriod::new(day_in(year, a.min(b)), day_in(year, a.max(b)))?;
        let bill = council_tax_charge(&CouncilTaxInput {
            year, band: Band::D, band_d_annual: Pence::new(band_d), liability,
            disabled_reduction: vec![],
            discounts: vec![DiscountPeriod { discount: Discount::SinglePerson, period: spd }],
            premiums: vec![], band_rounding: BandRounding::Exact,
        })?;
        prop_assert_eq!(bill.lines.iter().map(|l| l.days).sum::<i64>(), 365);
        // Exact total in quarter-pence-days: full days × 4 + discounted days × 3.
        let exact_num = i128::from(band_d) * i128::from((365 - spd.days()) * 4 + spd.days() * 3);
        let exact_den = 365_i128 * 4;
        let total = i128::from(bill.total.pence()) * exact_den;
        let lines = bill.lines.len() as i128;
        prop_assert!((total - exact_num).abs() * 2 <= lines * exact_den);
    }

    #[test]
    fn business_rates_segments_sum_within_a_penny_per_line(
        rv in 1_000_u32..51_000,
        a in 0_i64..365,
        b in 0_i64..365,
    ) {
        let year = FinancialYear::starting(2025)?;
        let liability = DatePeriod::new(year.start(), year.end())?;
        let relief = DatePeriod::new(day_in(year, a.min(b)), day_in(year, a.max(b)))?;
        let input = BusinessRatesInput {
            year, rateable_value: RateableValue::pounds(rv), liability, retail_hospitality_leisure: false,
            empty: vec![], reliefs: vec![ReliefPeriod { relief: Relief::MandatoryCharity, period: relief }],
            rhl_relief: None,
        };
        let bill = business_rates_charge(&input, &Multipliers::default_england())?;
        let exact_num = i128::from(rv) * 499 * i128::from((365 - relief.days()) * 5 + relief.days());
        let exact_den = 10_i128 * 365 * 5;
        let total = i128::from(bill.total.pence()) * exact_den;
        prop_assert!((total - exact_num).abs() * 2 <= bill.lines.len() as i128 * exact_den);
    }

    #[test]
    fn money_display_parses_back(pence in -10_000_000_000_i64..10_000_000_000) {
        let p = Pence::new(pence);
        prop_assert_eq!(p.to_string().parse::<Pence>()?, p);
    }
}
