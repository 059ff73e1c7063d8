//! Queries on accounts, properties and parties, and the accounts a work item concerns.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::OnConflict,
};
use uuid::Uuid;

use postroom_accounts::{Adjustment, Mandate, PartyState, PropertyState, RecoveryStage, Service};

use crate::entities::{
    account, account_adjustment, account_search_term, direct_debit_mandate, party, property, work_item_account,
};

/// Accounts with these references.
///
/// # Errors
/// When the database fails.
pub async fn by_references(conn: &impl ConnectionTrait, references: &[String]) -> Result<Vec<account::Model>, DbErr> {
    if references.is_empty() {
        return Ok(Vec::new());
    }
    account::Entity::find()
        .filter(account::Column::Reference.is_in(references.iter().cloned()))
        .order_by_asc(account::Column::Reference)
        .all(conn)
        .await
}

/// Accounts at properties with these UPRNs or postcodes, with the property.
///
/// # Errors
/// When the database fails.
pub async fn at_properties(
    conn: &impl ConnectionTrait,
    uprns: &[i64],
    postcodes: &[String],
) -> Result<Vec<(account::Model, property::Model)>, DbErr> {
    if uprns.is_empty() && postcodes.is_empty() {
        return Ok(Vec::new());
    }
    let properties = property::Entity::find()
        .filter(
            property::Column::Uprn
                .is_in(uprns.iter().copied())
                .or(property::Column::Postcode.is_in(postcodes.iter().cloned())),
        )
        .all(conn)
        .await?;
    let accounts = account::Entity::find()
        .filter(account::Column::PropertyId.is_in(properties.iter().map(|p| p.id)))
        .order_by_asc(account::Column::Reference)
        .all(conn)
        .await?;
    Ok(accounts
        .into_iter()
        .filter_map(|a| {
            let p = properties.iter().find(|p| Some(p.id) == a.property_id)?.clone();
            Some((a, p))
        })
        .collect())
}

/// The parties of these accounts.
///
/// # Errors
/// When the database fails.
pub async fn parties_of(conn: &impl ConnectionTrait, account_ids: &[Uuid]) -> Result<Vec<party::Model>, DbErr> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    party::Entity::find().filter(party::Column::AccountId.is_in(account_ids.iter().copied())).all(conn).await
}

/// Links an account to a work item (idempotent).
///
/// # Errors
/// When the database fails.
pub async fn link_to_item(
    conn: &impl ConnectionTrait,
    work_item_id: Uuid,
    account_id: Uuid,
    matched_by: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    work_item_account::Entity::insert(work_item_account::ActiveModel {
        work_item_id: Set(work_item_id),
        account_id: Set(account_id),
        matched_by: Set(matched_by.to_owned()),
        linked_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([work_item_account::Column::WorkItemId, work_item_account::Column::AccountId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// The accounts a work item concerns, with how each was matched.
///
/// # Errors
/// When the database fails.
pub async fn of_item(conn: &impl ConnectionTrait, work_item_id: Uuid) -> Result<Vec<(account::Model, String)>, DbErr> {
    let links = work_item_account::Entity::find()
        .filter(work_item_account::Column::WorkItemId.eq(work_item_id))
        .all(conn)
        .await?;
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(links.iter().map(|l| l.account_id)))
        .order_by_asc(account::Column::Reference)
        .all(conn)
        .await?;
    Ok(accounts
        .into_iter()
        .filter_map(|a| {
            let how = links.iter().find(|l| l.account_id == a.id)?.matched_by.clone();
            Some((a, how))
        })
        .collect())
}

/// An account with its property and parties, as search and the account view show it.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub account: account::Model,
    pub property: Option<property::Model>,
    pub parties: Vec<party::Model>,
}

/// Accounts where every word of `q` (see [`words`]) is the start of one of the account's search
/// terms (reference, names, address, postcode: see [`search_terms`]); and, when `q` is digits
/// (spaces ignored), accounts whose reference starts with them or whose property's UPRN is that
/// number. At most `limit`, by reference.
///
/// The work is bounded whatever the caller types: repeated words count once, and only the first
/// [`MAX_QUERY_WORDS`] different words are searched for (any further word can only narrow the
/// result, so the answer holds every account that has them all).
///
/// Each word is the range `term >= word AND term < next(word)` of `account_search_terms`'s
/// primary key, an index range scan on `SQLite` and `PostgreSQL` alike (`LIKE 'word%'` would not
/// use the index on `SQLite`). How the words are combined is chosen from how many terms each
/// range holds (see [`by_words`]), so neither a common word nor a rare one makes it slow.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(name = "accounts.search", skip(conn))]
pub async fn search(conn: &impl ConnectionTrait, q: &str, limit: u64) -> Result<Vec<AccountRecord>, DbErr> {
    let query_words = query_words(q);
    if query_words.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut found = by_words(conn, &query_words, limit).await?;
    let digits: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let mut by_reference = account::Entity::find().filter(account::Column::Reference.gte(digits.as_str()));
        if let Some(end) = prefix_end(&digits) {
            by_reference = by_reference.filter(account::Column::Reference.lt(end));
        }
        found.extend(by_reference.order_by_asc(account::Column::Reference).limit(limit).all(conn).await?);
        if let Ok(uprn) = digits.parse::<i64>() {
            let at = property::Entity::find().filter(property::Column::Uprn.eq(uprn)).all(conn).await?;
            if !at.is_empty() {
                let ids = at.iter().map(|p| p.id);
                found.extend(account::Entity::find().filter(account::Column::PropertyId.is_in(ids)).all(conn).await?);
            }
        }
        found.sort_by(|a, b| a.reference.cmp(&b.reference));
        found.dedup_by_key(|a| a.id);
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    records(conn, found).await
}

/// Most different words of a query searched for; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 8;

/// The words of a search query: [`words`] without repeats (they are lower-cased, so case does
/// not matter), the first [`MAX_QUERY_WORDS`] of them.
#[must_use]
pub fn query_words(q: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in words(q) {
        if out.len() == MAX_QUERY_WORDS {
            break;
        }
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Terms first counted for each word of a query.
const FIRST_COUNT: u64 = 2_000;
/// Most terms counted for a word: past this many, narrowing down costs more than any walk.
const COUNT_BOUND: u64 = 100_000;
/// A word whose range has this many times the rarest word's terms is tested per account rather
/// than read (reading a range costs far less per entry than testing an account).
const FAR_COMMONER: u64 = 20;
/// The first `limit` accounts by reference having every word, by one of two plans:
///
/// - walk: go through the accounts in reference order, testing each for every word (on the
///   index on `account_id`), until `limit` are found. It reads about `limit` divided by the
///   share of accounts that match: cheap when every word is common (Smith, a town, an outward
///   code), ruinous when one is rare.
/// - narrow down: the accounts in the rarest word's range (an index-only range scan) that are
///   also in the range of each word not far commoner, fetched by id (each far commoner word
///   tested per account) and sorted by reference. It costs about the rarest word's count: cheap
///   when a word is rare (a postcode, a reference, an unusual name).
///
/// Which is cheaper depends on how many accounts there are, which is not cheap to count. So
/// the walk is tried first, over about as many accounts as narrowing down would cost: it
/// either finds `limit` matches (they are the first by reference) or costs about as much as the
/// narrowing down that follows. Choosing here rather than leaving it to the database's planner
/// keeps `SQLite` fast, which keeps no statistics unless analysed.
#[tracing::instrument(name = "accounts.search.by_words", level = "debug", skip_all)]
async fn by_words(conn: &impl ConnectionTrait, words: &[String], limit: u64) -> Result<Vec<account::Model>, DbErr> {
    // Counted roughly first: a common word's count matters only next to the rarest's.
    let mut counted = Vec::with_capacity(words.len());
    for word in words {
        counted.push((term_count(conn, word, FIRST_COUNT).await?, word.as_str()));
    }
    let least = counted.iter().map(|(c, _)| *c).min().unwrap_or(0);
    if least == 0 {
        return Ok(Vec::new());
    }
    let enough = if least >= FIRST_COUNT { COUNT_BOUND } else { least.saturating_mul(FAR_COMMONER) + 1 };
    if enough > FIRST_COUNT {
        for (count, word) in &mut counted {
            if *count >= FIRST_COUNT {
                *count = term_count(conn, word, enough).await?;
            }
        }
    }
    counted.sort_unstable();
    let Some(&(rarest_count, rarest)) = counted.first() else { return Ok(Vec::new()) };
    if rarest_count > limit.saturating_mul(4) {
        // Testing an account costs about twice what fetching and sorting one does.
        let found = walk(conn, words, limit, rarest_count / 2).await?;
        if u64::try_from(found.len()).unwrap_or(u64::MAX) >= limit {
            return Ok(found);
        }
    }
    // Narrowed down here rather than in one query: given `ORDER BY reference LIMIT`, a planner
    // with statistics (PostgreSQL) walks the reference index expecting matches spread evenly,
    // and reads most of the table when they sit together (a reference prefix).
    let mut in_every_range = in_range(rarest).distinct().to_owned();
    let mut tested_per_account = Vec::new();
    for &(count, word) in &counted[1..] {
        if count > rarest_count.saturating_mul(FAR_COMMONER) {
            tested_per_account.push(word);
        } else {
            in_every_range.union(sea_orm::sea_query::UnionType::Intersect, in_range(word));
        }
    }
    let candidates = ids(conn, &in_every_range).await?;
    // Only id and reference for every candidate; whole rows for the first `limit`.
    #[derive(sea_orm::FromQueryResult)]
    struct Keyed {
        id: Uuid,
        reference: String,
    }
    let mut keyed = Vec::new();
    for chunk in candidates.chunks(1000) {
        let mut select = account::Entity::find()
            .select_only()
            .column(account::Column::Id)
            .column(account::Column::Reference)
            .filter(account::Column::Id.is_in(chunk.iter().copied()));
        for word in &tested_per_account {
            select = select.filter(has_term(word));
        }
        keyed.extend(select.into_model::<Keyed>().all(conn).await?);
    }
    keyed.sort_unstable_by(|a, b| a.reference.cmp(&b.reference));
    keyed.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    if keyed.is_empty() {
        return Ok(Vec::new());
    }
    account::Entity::find()
        .filter(account::Column::Id.is_in(keyed.into_iter().map(|k| k.id)))
        .order_by_asc(account::Column::Reference)
        .all(conn)
        .await
}

/// The `account_id`s `select` gives.
async fn ids(conn: &impl ConnectionTrait, select: &sea_orm::sea_query::SelectStatement) -> Result<Vec<Uuid>, DbErr> {
    use sea_orm::FromQueryResult;
    #[derive(FromQueryResult)]
    struct Id {
        account_id: Uuid,
    }
    let ids = Id::find_by_statement(conn.get_database_backend().build(select)).all(conn).await?;
    Ok(ids.into_iter().map(|r| r.account_id).collect())
}

/// How many terms start with `word`, up to `bound` (an index-only range scan).
#[tracing::instrument(name = "accounts.search.term_count", level = "debug", skip(conn))]
async fn term_count(conn: &impl ConnectionTrait, word: &str, bound: u64) -> Result<u64, DbErr> {
    use sea_orm::{
        FromQueryResult,
        sea_query::{Alias, Asterisk, Expr, Query},
    };
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let mut inner = in_range(word);
    inner.limit(bound);
    let count = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from_subquery(inner, Alias::new("matching"))
        .to_owned();
    let row = Count::find_by_statement(conn.get_database_backend().build(&count)).one(conn).await?;
    Ok(row.map_or(0, |r| u64::try_from(r.n).unwrap_or(0)))
}

/// `SELECT account_id FROM account_search_terms` where the term starts with `word`.
fn in_range(word: &str) -> sea_orm::sea_query::SelectStatement {
    let mut select = sea_orm::sea_query::Query::select();
    select
        .column(account_search_term::Column::AccountId)
        .from(account_search_term::Entity)
        .and_where(account_search_term::Column::Term.gte(word));
    if let Some(end) = prefix_end(word) {
        select.and_where(account_search_term::Column::Term.lt(end));
    }
    select
}

/// The account has a term starting with `word` (tested per account, on `account_id`'s index).
fn has_term(word: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, Query};
    let mut probe = Query::select();
    probe
        .expr(Expr::val(1))
        .from(account_search_term::Entity)
        .and_where(
            Expr::col((account_search_term::Entity, account_search_term::Column::AccountId))
                .equals((account::Entity, account::Column::Id)),
        )
        .and_where(Expr::col((account_search_term::Entity, account_search_term::Column::Term)).gte(word));
    if let Some(end) = prefix_end(word) {
        probe.and_where(Expr::col((account_search_term::Entity, account_search_term::Column::Term)).lt(end));
    }
    Expr::exists(probe)
}

/// The first `limit` accounts by reference that have every word, testing them in turn, among
/// the first `within` accounts by reference.
#[tracing::instrument(name = "accounts.search.walk", level = "debug", skip(conn, words))]
async fn walk(
    conn: &impl ConnectionTrait,
    words: &[String],
    limit: u64,
    within: u64,
) -> Result<Vec<account::Model>, DbErr> {
    // The `within`th reference bounds the walk (an index-only read of that many entries).
    let last: Option<String> = account::Entity::find()
        .select_only()
        .column(account::Column::Reference)
        .order_by_asc(account::Column::Reference)
        .offset(within.saturating_sub(1))
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?;
    let mut select = account::Entity::find();
    if let Some(last) = last {
        select = select.filter(account::Column::Reference.lte(last));
    }
    for word in words {
        select = select.filter(has_term(word));
    }
    select.order_by_asc(account::Column::Reference).limit(limit).all(conn).await
}

/// A string greater than every term starting with `prefix` and less than every other term
/// after it: the last character moved on to the next one terms use, carrying past `z` (`smi` →
/// `smj`, `az9` → `aza`, `ruiz` → `ruj`). Terms are lower-case letters and digits, so the bound
/// is never punctuation, which a linguistic collation (`PostgreSQL`'s `en_US`) ignores: `term <
/// 'rui{'` would not end the range there. (Byte order puts letters with accents after `z`, so
/// `ruiz` also finds a term `ruié`; no `en_US` ordering is exact for them either.) None when no
/// bound is needed.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '9' => Some('a'),
            'z' => None,
            '0'..='8' | 'a'..='y' => char::from_u32(u32::from(last) + 1),
            _ => (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32),
        };
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The account with this reference, with its property and parties.
///
/// # Errors
/// When the database fails.
pub async fn record(conn: &impl ConnectionTrait, reference: &str) -> Result<Option<AccountRecord>, DbErr> {
    let found = account::Entity::find().filter(account::Column::Reference.eq(reference)).one(conn).await?;
    Ok(records(conn, found.into_iter().collect()).await?.into_iter().next())
}

#[tracing::instrument(name = "accounts.records", level = "debug", skip_all)]
async fn records(conn: &impl ConnectionTrait, accounts: Vec<account::Model>) -> Result<Vec<AccountRecord>, DbErr> {
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
    let parties = parties_of(conn, &ids).await?;
    let properties = property::Entity::find()
        .filter(property::Column::Id.is_in(accounts.iter().filter_map(|a| a.property_id)))
        .all(conn)
        .await?;
    Ok(accounts
        .into_iter()
        .map(|a| AccountRecord {
            property: properties.iter().find(|p| Some(p.id) == a.property_id).cloned(),
            parties: parties.iter().filter(|p| p.account_id == a.id).cloned().collect(),
            account: a,
        })
        .collect())
}

/// The words a text is searched by: lower-cased runs of letters and digits. A token that holds
/// punctuation between letters ("O'Brien", "Smith-Jones") also gives its letters joined up
/// ("obrien", "smithjones"), so a query typed either way finds it. One-character words are kept
/// (an initial, a flat number).
#[must_use]
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        let lower = token.to_lowercase();
        let parts: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        if parts.len() > 1 {
            out.push(parts.concat());
        }
        out.extend(parts.into_iter().map(str::to_owned));
    }
    out
}

/// An account's search terms: the words of its reference, its parties' names, its property's
/// address and postcode, plus the postcode without its space ("ab12cd") and its outward code
/// ("ab1"). Sorted and without repeats.
#[must_use]
pub fn search_terms<'a>(
    reference: &str,
    names: impl IntoIterator<Item = &'a str>,
    address: Option<&str>,
    postcode: Option<&str>,
) -> Vec<String> {
    let mut terms = words(reference);
    for name in names {
        terms.extend(words(name));
    }
    if let Some(address) = address {
        terms.extend(words(address));
    }
    if let Some(postcode) = postcode {
        terms.extend(words(postcode));
        let compact: String = postcode.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
        if let Some((outward, _)) = postcode.trim().split_once(char::is_whitespace) {
            terms.push(outward.to_lowercase());
        }
        terms.push(compact);
    }
    terms.retain(|t| !t.is_empty());
    terms.sort();
    terms.dedup();
    terms
}

/// Replaces an account's search terms with `terms`.
async fn write_terms(conn: &impl ConnectionTrait, account_id: Uuid, terms: Vec<String>) -> Result<(), DbErr> {
    account_search_term::Entity::delete_many()
        .filter(account_search_term::Column::AccountId.eq(account_id))
        .exec(conn)
        .await?;
    if terms.is_empty() {
        return Ok(());
    }
    account_search_term::Entity::insert_many(
        terms.into_iter().map(|term| account_search_term::ActiveModel { term: Set(term), account_id: Set(account_id) }),
    )
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// Rewrites the account's rows in `account_search_terms` from its reference, its parties' names
/// and its property's address and postcode (see [`search_terms`]). Call it, in the same
/// transaction, after anything that changes those.
///
/// # Errors
/// When the database fails, or there is no account with this id.
#[tracing::instrument(name = "accounts.reindex", skip(conn))]
pub async fn reindex(conn: &impl ConnectionTrait, account_id: Uuid) -> Result<(), DbErr> {
    let account = account::Entity::find_by_id(account_id)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("account {account_id}")))?;
    let parties = parties_of(conn, &[account_id]).await?;
    let property = match account.property_id {
        Some(id) => property::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    let terms = search_terms(
        &account.reference,
        parties.iter().map(|p| p.name.as_str()),
        property.as_ref().map(|p| p.address.as_str()),
        property.as_ref().and_then(|p| p.postcode.as_deref()),
    );
    write_terms(conn, account_id, terms).await
}

/// Refreshes `PostgreSQL`'s planner statistics for the account tables after a bulk load, as
/// autovacuum would a little later (until then a search may be planned as for empty tables).
/// Nothing on `SQLite`, which the service never analyses.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(name = "accounts.analyse_after_load", skip_all)]
pub async fn analyse_after_load(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_unprepared(
            "ANALYZE accounts, properties, parties, account_search_terms, account_adjustments, direct_debit_mandates",
        )
        .await?;
    }
    Ok(())
}

/// Whether an account is billed (`live`) or finished with (`closed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Live,
    Closed,
}

impl AccountStatus {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Closed => "closed",
        }
    }
}

impl std::str::FromStr for AccountStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "live" => Ok(Self::Live),
            "closed" => Ok(Self::Closed),
            other => Err(format!("unknown account status {other:?}: expected live or closed")),
        }
    }
}

/// The property a new account is for. Properties are shared by UPRN: when one with this UPRN
/// exists already, the account is added to it and these details are not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProperty {
    pub uprn: Option<i64>,
    pub address: String,
    /// Normalised (`AN1 2BC`).
    pub postcode: Option<String>,
    /// The council that bills it; the configured default when absent.
    pub billing_authority: Option<String>,
    /// Band, rateable value (whole pounds) and retail/hospitality/leisure use.
    pub valuation: PropertyState,
}

/// Everything [`insert_account`] writes for one account, as typed values.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub reference: String,
    pub service: Service,
    pub status: AccountStatus,
    pub property: NewProperty,
    pub parties: Vec<PartyState>,
    /// 10 or 12.
    pub instalments: u32,
    pub recovery_stage: Option<RecoveryStage>,
    pub vulnerable: bool,
    /// Discounts, reliefs and the like, recorded with no work item.
    pub adjustments: Vec<Adjustment>,
    pub mandate: Option<Mandate>,
}

/// Writes a new account: its property (or the existing one with the same UPRN), parties,
/// adjustments, Direct Debit mandate and search terms. Returns the account's id. Run it in a
/// transaction when it is one of many that must all be written or none.
///
/// # Errors
/// When the database fails, e.g. a unique violation when the reference is taken (see
/// [`crate::is_unique_violation`]).
// An account reference is printed on bills and letters: only at DEBUG (README, Logging).
#[tracing::instrument(name = "accounts.insert", level = "debug", skip_all, fields(reference = %new.reference))]
pub async fn insert_account(conn: &impl ConnectionTrait, new: &NewAccount) -> Result<Uuid, DbErr> {
    let now = Utc::now();
    let p = &new.property;
    let existing = match p.uprn {
        Some(uprn) => property::Entity::find().filter(property::Column::Uprn.eq(uprn)).one(conn).await?,
        None => None,
    };
    // An existing property's own address is what the account is at (and is searched by).
    let (property_id, address, postcode) = if let Some(existing) = existing {
        (existing.id, existing.address, existing.postcode)
    } else {
        let id = Uuid::now_v7();
        property::Entity::insert(property::ActiveModel {
            id: Set(id),
            uprn: Set(p.uprn),
            address: Set(p.address.clone()),
            postcode: Set(p.postcode.clone()),
            council_tax_band: Set(p.valuation.band.map(|b| b.to_string())),
            rateable_value_pence: Set(p.valuation.rateable_value.map(|rv| i64::from(rv) * 100)),
            created_at: Set(now),
            updated_at: Set(now),
            billing_authority: Set(p.billing_authority.clone()),
            retail_hospitality_leisure: Set(p.valuation.retail_hospitality_leisure),
        })
        .exec_without_returning(conn)
        .await?;
        (id, p.address.clone(), p.postcode.clone())
    };
    let account_id = Uuid::now_v7();
    account::Entity::insert(account::ActiveModel {
        id: Set(account_id),
        reference: Set(new.reference.clone()),
        service: Set(new.service.as_str().to_owned()),
        property_id: Set(Some(property_id)),
        status: Set(new.status.as_str().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        recovery_stage: Set(new.recovery_stage.map(|s| s.as_str().to_owned())),
        vulnerable: Set(new.vulnerable),
        instalments: Set(i32::try_from(new.instalments).unwrap_or(10)),
    })
    .exec_without_returning(conn)
    .await?;
    if !new.parties.is_empty() {
        party::Entity::insert_many(new.parties.iter().map(|party| party::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account_id),
            name: Set(party.name.clone()),
            party_role: Set(party.role.clone()),
            liable_from: Set(party.liable_from),
            liable_to: Set(party.liable_to),
            email: Set(party.email.clone()),
            phone: Set(party.phone.clone()),
            postal_address: Set(party.postal_address.clone()),
            created_at: Set(now),
            preferred_channel: Set(party.preferred_channel.map(|c| c.as_str().to_owned())),
            forwarding_address: Set(party.forwarding_address.clone()),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    if !new.adjustments.is_empty() {
        account_adjustment::Entity::insert_many(new.adjustments.iter().map(|a| account_adjustment::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account_id),
            category: Set(a.category.clone()),
            code: Set(a.code.clone()),
            valid_from: Set(a.from),
            valid_to: Set(a.to),
            details: Set((!a.details.is_null()).then(|| a.details.to_string())),
            work_item_id: Set(None),
            created_at: Set(now),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    if let Some(m) = &new.mandate {
        direct_debit_mandate::Entity::insert(direct_debit_mandate::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account_id),
            reference: Set(m.reference.clone()),
            payer_name: Set(m.payer_name.clone()),
            sort_code: Set(m.sort_code.clone()),
            account_number: Set(m.account_number.clone()),
            collection_day: Set(i32::try_from(m.collection_day).unwrap_or(1)),
            status: Set(m.status.as_str().to_owned()),
            lodge: Set(m.lodge.join(",")),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(conn)
        .await?;
    }
    let terms =
        search_terms(&new.reference, new.parties.iter().map(|p| p.name.as_str()), Some(&address), postcode.as_deref());
    write_terms(conn, account_id, terms).await?;
    Ok(account_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_case_runs_of_letters_and_digits_with_punctuated_tokens_joined() {
        assert_eq!(words("Flat 3, 12 High-Street"), ["flat", "3", "12", "highstreet", "high", "street"]);
        assert_eq!(words("Mr P O'Brien"), ["mr", "p", "obrien", "o", "brien"]);
        assert_eq!(words("  ÉMILE Zoë "), ["émile", "zoë"]);
        assert!(words(" -- ").is_empty());
    }

    #[test]
    fn a_query_searches_each_word_once_and_at_most_eight() {
        assert_eq!(query_words("Doe doe DOE jane Doe"), ["doe", "jane"]);
        let many: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
        let searched = query_words(&many.join(" "));
        assert_eq!(searched, many[..MAX_QUERY_WORDS]);
        assert_eq!(query_words(&"a ".repeat(200)), ["a"]);
    }

    #[test]
    fn an_accounts_terms_cover_reference_names_address_and_postcode_forms() {
        let terms = search_terms("500012345", ["Mrs Jane Doe", "John Doe"], Some("4 Acacia Avenue"), Some("BC1 4AA"));
        assert_eq!(
            terms,
            ["4", "4aa", "500012345", "acacia", "avenue", "bc1", "bc14aa", "doe", "jane", "john", "mrs"],
            "sorted, without repeats; the postcode whole, compact and by outward code"
        );
    }

    #[test]
    fn a_prefix_range_ends_at_the_next_string() {
        assert_eq!(prefix_end("smi").as_deref(), Some("smj"));
        assert_eq!(prefix_end("az9").as_deref(), Some("aza"), "digits sort before letters");
        assert_eq!(prefix_end("ruiz").as_deref(), Some("ruj"), "never punctuation such as '{{'");
        assert_eq!(prefix_end("zz"), None);
        assert_eq!(prefix_end("zoë").as_deref(), Some("zoì"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end(""), None);
    }

    /// Accounts whose surnames, towns and postcodes make every plan of [`by_words`] run: a word
    /// on every account (counted past the first bound), a common one spread through the
    /// references (the walk succeeds), one clustered at the end (the walk gives up), a rare one
    /// (narrowed at once, the town tested per account), two read together.
    ///
    /// On `SQLite`, and on a fresh `PostgreSQL` database too when `TEST_POSTGRES_URL` (an admin
    /// URL) is set, as the end-to-end tests do.
    #[tokio::test]
    async fn every_search_plan_finds_what_a_scan_of_the_terms_finds() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        plans_find_what_a_scan_finds(&format!("sqlite://{}/search.db?mode=rwc", dir.path().display())).await?;
        if let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") {
            let name = format!("postroom_search_{}", Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(&admin_url).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            let mut url = url::Url::parse(&admin_url)?;
            url.set_path(&format!("/{name}"));
            let outcome = plans_find_what_a_scan_finds(url.as_str()).await;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
            outcome?;
        }
        Ok(())
    }

    async fn plans_find_what_a_scan_finds(url: &str) -> anyhow::Result<()> {
        use sea_orm::TransactionTrait;
        let db = crate::connect(url, &crate::PoolOptions::default()).await?;
        crate::migrate(&db).await?;
        let mut expected_terms = Vec::new();
        let txn = db.begin().await?;
        for i in 0..2_500_u32 {
            let reference = format!("{}", 500_000_001 + i);
            let surname = match i {
                2_450.. => "Rarefield",
                2_200.. => "Clustered",
                _ if i % 3 == 0 => "Common",
                _ => "Other",
            };
            let name = format!("Pat {surname}{}", if i % 7 == 0 { " Jr" } else { "" });
            let postcode = format!("AB{} {}CD", i % 9 + 1, i % 5);
            let new = NewAccount {
                reference: reference.clone(),
                service: Service::CouncilTax,
                status: AccountStatus::Live,
                property: NewProperty {
                    uprn: Some(i64::from(i) + 1),
                    address: format!("{} Mill Lane, Townley", i % 90 + 1),
                    postcode: Some(postcode.clone()),
                    billing_authority: None,
                    valuation: PropertyState::default(),
                },
                parties: vec![PartyState {
                    name: name.clone(),
                    role: "liable".to_owned(),
                    liable_from: None,
                    liable_to: None,
                    email: None,
                    phone: None,
                    postal_address: None,
                    preferred_channel: None,
                    forwarding_address: None,
                }],
                instalments: 10,
                recovery_stage: None,
                vulnerable: false,
                adjustments: Vec::new(),
                mandate: None,
            };
            insert_account(&txn, &new).await?;
            let terms = search_terms(&reference, [name.as_str()], Some(&new.property.address), Some(&postcode));
            expected_terms.push((reference, terms));
        }
        txn.commit().await?;
        for (q, limit) in [
            ("townley", 20),
            ("common", 20),
            ("clustered", 20),
            ("clus", 7),
            ("rarefield", 20),
            ("rarefield townley", 20),
            ("rarefield townley", 100),
            ("common jr", 20),
            ("clustered jr mill", 20),
            ("common clustered", 20),
            ("ab3 2cd", 20),
            ("ab32cd", 20),
            ("pat ab1", 50),
            ("co", 20),
            ("zzz", 20),
            ("50000", 20),
            ("500002499", 20),
        ] {
            let words = words(q);
            let mut expected: Vec<&str> = expected_terms
                .iter()
                .filter(|(_, terms)| words.iter().all(|w| terms.iter().any(|t| t.starts_with(w.as_str()))))
                .map(|(r, _)| r.as_str())
                .collect();
            expected.sort_unstable();
            expected.truncate(limit);
            let found = search(&db, q, u64::try_from(limit)?).await?;
            let found: Vec<&str> = found.iter().map(|r| r.account.reference.as_str()).collect();
            assert_eq!(found, expected, "{q:?}");
        }
        assert_eq!(search(&db, "rarefield", 5).await?.len(), 5);
        let by_uprn = search(&db, "2500", 20).await?;
        assert!(by_uprn.iter().any(|r| r.account.reference == "500002500"), "UPRN 2500 is the last account's");
        db.close().await?;
        Ok(())
    }
}
