//! The kinds of typed account change an officer can apply when completing an item.

use std::{fmt, str::FromStr};

use crate::ParseError;

macro_rules! change_kinds {
    ($first:ident => $first_name:literal $(, $variant:ident => $name:literal)* $(,)?) => {
        /// A kind of account change (the changes themselves are typed per kind).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ChangeKind {
            $first $(, $variant)*
        }

        impl ChangeKind {
            /// Every kind.
            pub const ALL: &[Self] = &[Self::$first $(, Self::$variant)*];

            /// What a parse error says is allowed.
            const ONE_OF: &str = concat!("use one of ", $first_name $(, ", ", $name)*);

            /// Every kind's name, comma-separated (for messages that list what is allowed).
            pub const NAMES: &str = concat!($first_name $(, ", ", $name)*);

            /// The stored and configured name.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    Self::$first => $first_name,
                    $(Self::$variant => $name),*
                }
            }
        }
    };
}

change_kinds! {
    MoveIn => "move_in",
    MoveOut => "move_out",
    NameContactUpdate => "name_contact_update",
    DiscountGrant => "discount_grant",
    DiscountEnd => "discount_end",
    ExemptionGrant => "exemption_grant",
    ExemptionEnd => "exemption_end",
    Premium => "premium",
    PremiumEnd => "premium_end",
    PremiumException => "premium_exception",
    PremiumExceptionEnd => "premium_exception_end",
    DisabledBandReduction => "disabled_band_reduction",
    DisabledBandReductionEnd => "disabled_band_reduction_end",
    ReliefGrant => "relief_grant",
    ReliefEnd => "relief_end",
    BandChange => "band_change",
    RateableValueChange => "rateable_value_change",
    DirectDebitSetup => "direct_debit_setup",
    DirectDebitAmend => "direct_debit_amend",
    DirectDebitCancel => "direct_debit_cancel",
    InstalmentPlan => "instalment_plan",
    PaymentArrangement => "payment_arrangement",
    RecoveryHold => "recovery_hold",
    RecoveryRelease => "recovery_release",
    RecoveryStage => "recovery_stage",
    VulnerabilityFlag => "vulnerability_flag",
    ThirdPartyAuthority => "third_party_authority",
    ThirdPartyAuthorityEnd => "third_party_authority_end",
    Refund => "refund",
    WriteOff => "write_off",
    Note => "note",
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChangeKind {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ParseError::new("account change kind", s, Self::ONE_OF))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_unknown_kinds_are_refused() {
        for k in ChangeKind::ALL {
            assert_eq!(k.as_str().parse::<ChangeKind>(), Ok(*k));
        }
        let err = "move_outt".parse::<ChangeKind>().unwrap_err().to_string();
        assert!(err.contains("move_outt") && err.contains("use one of move_in, move_out,"), "{err}");
        assert!(err.ends_with("write_off, note"), "{err}");
        assert_eq!(ChangeKind::NAMES.split(", ").count(), ChangeKind::ALL.len());
    }
}
