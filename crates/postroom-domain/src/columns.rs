//! Work-item statuses, priorities and channels as typed database columns (the `sea-orm`
//! feature, used by `postroom-db`): a stored value that does not parse is a database error, not
//! a string passed around.

use sea_orm::{
    ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value,
    sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr},
};

use crate::{Channel, Priority, WorkItemStatus};

/// Stored as its wire name.
macro_rules! text_column {
    ($t:ty) => {
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                v.as_str().into()
            }
        }

        impl TryGetable for $t {
            fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
                let text = String::try_get_by(res, idx)?;
                text.parse().map_err(|e: crate::ParseError| TryGetError::DbErr(DbErr::Type(e.to_string())))
            }
        }

        impl ValueType for $t {
            fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
                <String as ValueType>::try_from(v)?.parse().map_err(|_| ValueTypeErr)
            }
            fn type_name() -> String {
                stringify!($t).to_owned()
            }
            fn array_type() -> ArrayType {
                ArrayType::String
            }
            fn column_type() -> ColumnType {
                ColumnType::Text
            }
        }

        impl Nullable for $t {
            fn null() -> Value {
                Value::String(None)
            }
        }
    };
}

text_column!(WorkItemStatus);
text_column!(Channel);

/// Stored as its rank, 1 (P1) to 4 (P4), so that ordering by the column orders by urgency.
impl From<Priority> for Value {
    fn from(p: Priority) -> Self {
        p.rank().into()
    }
}

impl TryGetable for Priority {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        let rank = i16::try_get_by(res, idx)?;
        Self::from_rank(rank).map_err(|e| TryGetError::DbErr(DbErr::Type(e.to_string())))
    }
}

impl ValueType for Priority {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        Self::from_rank(<i16 as ValueType>::try_from(v)?).map_err(|_| ValueTypeErr)
    }
    fn type_name() -> String {
        "Priority".to_owned()
    }
    fn array_type() -> ArrayType {
        ArrayType::SmallInt
    }
    fn column_type() -> ColumnType {
        ColumnType::SmallInteger
    }
}

impl Nullable for Priority {
    fn null() -> Value {
        Value::SmallInt(None)
    }
}
