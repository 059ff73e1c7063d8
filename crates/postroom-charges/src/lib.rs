//! Postroom charges: Council Tax and Business Rates (NNDR) charge calculation and statutory
//! instalment schedules for councils in England. Pure functions over typed inputs: no I/O, no
//! clock, no database. Rates that councils or government set each year (Band D, multipliers,
//! local discount and premium percentages) are inputs, never constants.
//!
//! Money is held in integer pence ([`Pence`]). Charges are computed exactly as rationals
//! (pence × days × fractions) and rounded half-up to the penny **once per breakdown line**; the
//! total is the sum of the rounded lines. Instalments follow the statutory whole-pound rule.
//! See the module docs for the rule each function implements and its source in `domain.md`.

pub mod band;
pub mod breakdown;
pub mod business_rates;
pub mod council_tax;
pub mod discount;
pub mod empty_exemption;
pub mod instalments;
pub mod minimum;
pub mod money;
pub mod multipliers;
pub mod percent;
pub mod period;
pub mod reoccupation;
pub mod revision;
pub mod year;
pub mod year_reliefs;

pub use band::{Band, ParseBandError};
pub use breakdown::{ChargeBreakdown, ChargeLine};
pub use business_rates::{
    BusinessRatesCharge, BusinessRatesError, BusinessRatesInput, EmptyPeriod, EmptyRelief, Relief, ReliefPeriod,
    business_rates_charge, business_rates_charge_with_relief, small_business_relief,
};
pub use council_tax::{BandRounding, CouncilTaxError, CouncilTaxInput, council_tax_charge};
pub use discount::{Discount, DiscountPeriod, ExemptionClass, ParseExemptionClassError, PremiumKind, PremiumPeriod};
pub use empty_exemption::{EMPTY_EXEMPT_RV_BELOW, EmptyExemption, ParseEmptyExemptionError};
pub use instalments::{
    CountRule, FirstInstalment, Instalment, InstalmentPlan, Schedule, ScheduleError, ScheduleRequest, Service,
    instalment_amounts, instalment_schedule,
};
pub use money::{AmountOverflow, ParseMoneyError, Pence};
pub use multipliers::{
    Multiplier, MultiplierCategory, Multipliers, ParseMultiplierError, RateableValue, YearMultipliers,
};
pub use percent::{ParsePercentError, Percent};
pub use period::{DatePeriod, PeriodError};
pub use reoccupation::{Continued, EmptySpell, continued_spells, fresh_window_after_days};
pub use revision::{NOTICE_DAYS, RevisedSchedule, Revision, RevisionOutcome, revise_schedule};
pub use year::{FinancialYear, YearError};
pub use year_reliefs::{RhlRelief, RhlReliefAward, RhlReliefs, not_included};
