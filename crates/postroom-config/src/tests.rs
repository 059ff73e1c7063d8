//! The configuration's tests: loading, precedence, and every setting refused naming its key.

use postroom_accounts::bill::{FinancialYear, Pence};

use super::*;

#[test]
fn no_configuration_means_the_embedded_default() {
    figment::Jail::expect_with(|_jail| {
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(s.data_dir, PathBuf::from("postroom-data"));
        assert_eq!(s.server.bind.to_string(), "127.0.0.1:8080");
        assert!(s.uses_sqlite());
        assert!(s.database_url().expose_secret().starts_with("sqlite://postroom-data/postroom.db"));
        Ok(())
    });
}

#[test]
fn file_then_environment_override_defaults() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "postroom.toml",
            "data_dir = \"/var/lib/postroom\"\n[server]\nbind = \"0.0.0.0:9000\"\n[calendar]\nclosure_days = [\"2026-12-29\"]\n",
        )?;
        jail.set_env("POSTROOM_SERVER__BIND", "127.0.0.1:9100");
        jail.set_env("POSTROOM_DATABASE__URL", "postgres://u:hunter2@db/postroom");
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(s.data_dir, PathBuf::from("/var/lib/postroom"));
        assert_eq!(s.server.bind.to_string(), "127.0.0.1:9100");
        assert_eq!(s.calendar.closure_days.len(), 1);
        assert!(!s.uses_sqlite());
        Ok(())
    });
}

#[test]
fn the_user_password_variable_is_not_read_as_configuration() {
    figment::Jail::expect_with(|jail| {
        jail.set_env(PASSWORD_ENV, "correct horse battery staple");
        jail.set_env("POSTROOM_PASSWORDS", "x");
        let refused = Settings::load(None).map(|_| ()).map_err(|e| e.to_string());
        assert!(refused.as_ref().is_err_and(|e| e.contains("passwords")), "{refused:?}");
        jail.clear_env();
        jail.set_env(PASSWORD_ENV, "correct horse battery staple");
        Settings::load(None).map_err(|e| e.to_string())?;
        Ok(())
    });
}

#[test]
fn unknown_keys_are_refused_with_the_key_named() {
    figment::Jail::expect_with(|jail| {
        jail.create_file("postroom.toml", "[server]\nbnid = \"0.0.0.0:9000\"\n")?;
        let err = Settings::load(None).expect_err("unknown key must fail").to_string();
        assert!(err.contains("bnid"), "{err}");
        jail.create_file("postroom.toml", "")?;
        jail.set_env("POSTROOM_DATABSE__URL", "x");
        let err = Settings::load(None).expect_err("unknown env key must fail").to_string();
        assert!(err.contains("databse"), "{err}");
        Ok(())
    });
}

#[test]
fn amqp_retry_delays_parse_as_durations() {
    let s = Settings::from_toml("[amqp]\nurl = \"amqp://localhost\"\nretry_delays = [\"1s\", \"2m\"]").unwrap();
    assert_eq!(s.amqp.retry_delays(), vec![Duration::from_secs(1), Duration::from_secs(120)]);
    assert!(s.amqp.url.is_some());
}

#[test]
fn the_built_in_workflows_are_the_default_and_a_directory_extends_or_replaces_them() {
    let s = Settings::default();
    assert_eq!((s.workflows.dir.as_deref(), s.workflows.mode), (None, WorkflowsMode::Extend));
    let s = Settings::from_toml("[workflows]\ndir = \"/etc/postroom/workflows\"").unwrap();
    assert_eq!(s.workflows.dir.as_deref(), Some(Path::new("/etc/postroom/workflows")));
    assert_eq!(s.workflows.mode, WorkflowsMode::Extend);
    let s = Settings::from_toml("[workflows]\ndir = \"w\"\nmode = \"replace\"").unwrap();
    assert_eq!(s.workflows.mode, WorkflowsMode::Replace);
    let err = Settings::from_toml("[workflows]\nmode = \"replace\"").expect_err("replace with nothing").to_string();
    assert!(err.contains("workflows.mode = \"replace\" needs workflows.dir"), "{err}");
    let err = Settings::from_toml("[workflows]\nmode = \"merge\"").expect_err("unknown mode").to_string();
    assert!(err.contains("merge"), "{err}");
    toml::to_string(&Settings::default()).unwrap();
}

#[test]
fn invalid_values_are_refused() {
    let err = Settings::from_toml("[server]\nbind = \"not an address\"").expect_err("bad bind").to_string();
    assert!(err.contains("bind"), "{err}");
}

#[test]
fn the_statement_timeout_defaults_to_15_s_and_may_not_outlast_a_request() {
    assert_eq!(Settings::default().database.statement_timeout, Duration::from_secs(15));
    let s = Settings::from_toml("[database]\nstatement_timeout = \"0s\"").expect("0s is no limit");
    assert!(s.database.statement_timeout.is_zero());
    let err = Settings::from_toml("[server]\nrequest_timeout = \"10s\"\n[database]\nstatement_timeout = \"30s\"")
        .expect_err("longer than a request")
        .to_string();
    assert!(err.contains("database.statement_timeout") && err.contains("server.request_timeout"), "{err}");
}

#[test]
fn no_token_or_session_may_outlive_the_maximum_token_lifetime() {
    let s = Settings::from_toml("[auth]\nmax_token_lifetime = \"30d\"\ntoken_lifetime = \"7d\"").expect("within");
    assert_eq!(s.auth.max_token_lifetime, Some(Duration::from_secs(30 * 24 * 3600)));
    let err = Settings::from_toml("[auth]\nmax_token_lifetime = \"1h\"").expect_err("the 8 h session").to_string();
    assert!(err.contains("web.session_lifetime"), "{err}");
    let err = Settings::from_toml(
        "[auth]\nmax_token_lifetime = \"1d\"\ntoken_lifetime = \"2d\"\n[web]\nsession_lifetime = \"1h\"",
    )
    .expect_err("longer tokens")
    .to_string();
    assert!(err.contains("auth.token_lifetime"), "{err}");
    let err = Settings::from_toml("[web]\nsession_lifetime = \"30d\"").expect_err("over 7 days").to_string();
    assert!(err.contains("web.session_lifetime"), "{err}");
}

#[test]
fn a_missing_explicit_file_is_an_error() {
    let err = Settings::load(Some(Path::new("/nonexistent/postroom.toml"))).expect_err("missing");
    assert!(matches!(err, ConfigError::MissingFile(_)));
}

#[test]
fn secrets_are_redacted_in_debug() {
    let s = Settings::from_toml(
        "[database]\nurl = \"postgres://u:hunter2@db/x\"\n[auth]\nsigning_key = \"supersecretsupersecretsupersecret\"\n[storage]\nsecret_access_key = \"awssecret\"",
    )
    .unwrap();
    let debug = format!("{s:?}");
    let s = Settings { amqp: AmqpSettings { url: Some("amqp://u:rabbitpw@mq/%2f".into()), ..s.amqp.clone() }, ..s };
    let debug = format!("{debug}{s:?}{}", toml::to_string(&s).unwrap());
    for secret in ["hunter2", "supersecret", "awssecret", "rabbitpw"] {
        assert!(!debug.contains(secret), "{secret} leaked in {debug}");
    }
}

const NORTHBY: &str = r#"
[charges]
council = "Northby"
collection_day = 15
[charges.band_d.Northby]
"2025/26" = "2,198.75"
"2026/27" = "2280.23"
[charges.band_d."Southby Borough"]
"2026/27" = "£2,301.00"
[charges.local.Northby."2026/27"]
class_c_discount = "25%"
long_term_empty_1_year = "100%"
second_home = "100"
[charges.multipliers."2026/27"]
small_business = "43.0"
standard = "48.0"
"#;

#[test]
fn charges_parse_money_years_percentages_and_multiplier_overrides() {
    use postroom_accounts::bill::{Multiplier, Percent};
    let s = Settings::from_toml(NORTHBY).unwrap();
    let rates = s.charges.rates();
    assert_eq!(rates.council, "Northby");
    assert_eq!(rates.collection_day, 15);
    let y2526 = FinancialYear::parse("2025/26").unwrap();
    let y2627 = FinancialYear::parse("2026/27").unwrap();
    assert_eq!(rates.band_d["Northby"][&y2526], Pence::new(219_875));
    assert_eq!(rates.band_d["Northby"][&y2627], Pence::new(228_023));
    assert_eq!(rates.band_d["Southby Borough"][&y2627], Pence::new(230_100));
    assert!(!rates.band_d.contains_key(EXAMPLE_COUNCIL), "a configured band_d replaces the example");
    let local = &rates.local["Northby"][&y2627];
    assert_eq!(local.class_c_discount, Some(Percent::whole(25)));
    assert_eq!(local.second_home, Some(Percent::whole(100)));
    assert_eq!(local.class_d_discount, None, "not set stays not set");
    let m = rates.multipliers.for_year(y2627).unwrap();
    assert_eq!(m.small_business, Multiplier::from_tenths(430), "the override");
    assert_eq!(m.high_value, None, "an override replaces the whole year");
    assert_eq!(rates.multipliers.for_year(y2526).unwrap().standard, Multiplier::from_tenths(555), "built in");
    toml::to_string(&s).unwrap();
}

/// domain.md §3.1: the 2025/26 RHL relief (40%, £110,000) is built in; a year configured
/// replaces it.
#[test]
fn rhl_relief_2025_26_is_built_in_and_configurable() {
    use postroom_accounts::bill::Percent;
    let y2526 = FinancialYear::parse("2025/26").unwrap();
    let built_in = Settings::default().charges.rates().rhl_relief.for_year(y2526).unwrap();
    assert_eq!((built_in.percent, built_in.cash_cap), (Percent::whole(40), Pence::new(11_000_000)));
    let off =
        Settings::from_toml("[charges.rhl_relief.\"2025/26\"]\npercent = \"0%\"\ncash_cap = \"110,000\"").unwrap();
    assert_eq!(off.charges.rates().rhl_relief.for_year(y2526).unwrap().percent, Percent::ZERO);
}

#[test]
fn the_default_charges_are_a_labelled_example_council() {
    let s = Settings::default();
    assert!(s.charges.problems().is_empty(), "{:?}", s.charges.problems());
    let rates = s.charges.rates();
    assert_eq!(rates.council, EXAMPLE_COUNCIL);
    let y2526 = FinancialYear::parse("2025/26").unwrap();
    assert_eq!(rates.band_d[EXAMPLE_COUNCIL][&y2526], Pence::new(228_000));
    assert_eq!(rates.collection_day, 1);
}

#[test]
fn bad_charges_are_refused_naming_the_key() {
    let cases = [
        ("[charges.band_d.\"Example Council\"]\n\"2025/26\" = \"2,19.75\"", "2,19.75"),
        ("[charges.band_d.\"Example Council\"]\n\"2025/27\" = \"2,198.75\"", "2025/27"),
        ("[charges.band_d.\"Example Council\"]\n\"2025/26\" = \"0\"", "charges.band_d.\"Example Council\".\"2025/26\""),
        ("[charges]\ncollection_day = 29", "charges.collection_day = 29"),
        ("[charges]\ncouncil = \"Northby\"", "no entry for charges.council = \"Northby\""),
        ("[smtp]\nhost = \"relay\"\n[replies]\nsending_lease_secs = 60", "at least ten times smtp.timeout"),
        ("[replies]\nfrom = \"nobody\"", "replies.from"),
        ("[charges.local.\"Example Council\".\"2025/26\"]\nclass_e_discount = \"5%\"", "class_e_discount"),
        ("[charges.local.\"Example Council\".\"2025/26\"]\nsecond_home = \"lots\"", "lots"),
        (
            "[charges.local.\"Example Council\".\"2025/26\"]\nlong_term_empty_5_years = \"250%\"",
            "charges.local.\"Example Council\".\"2025/26\".long_term_empty_5_years = 250% is more than the maximum 200%",
        ),
        ("[charges.multipliers.\"2027/28\"]\nsmall_business = \"43.25\"\nstandard = \"48\"", "43.25"),
        ("[charges.multipliers.\"2027/28\"]\nsmall_business = \"43.2\"", "standard"),
        (
            "[charges.rhl_relief.\"2025/26\"]\npercent = \"140%\"\ncash_cap = \"110,000\"",
            "charges.rhl_relief.\"2025/26\" = 140% capped at £110,000.00 must be at most 100%",
        ),
        ("[charges.rhl_relief.\"2025/26\"]\npercent = \"40%\"", "cash_cap"),
        ("[work]\nmax_amount_pence = 0", "work.max_amount_pence = 0 must be from 1 to 1000000000000"),
        ("[work]\nmax_amount_pence = 9223372036854775807", "work.max_amount_pence = 9223372036854775807"),
        ("[work]\napproval_amount_pence = 2000000000", "must be from 0 to work.max_amount_pence (1000000000)"),
        ("[work]\napproval_amount_pence = -1", "work.approval_amount_pence = -1"),
        ("[work]\napproval_backdate_days = -1", "work.approval_backdate_days = -1 must not be negative"),
    ];
    for (toml, expected) in cases {
        let err = Settings::from_toml(toml).expect_err(toml).to_string();
        assert!(err.contains(expected), "{toml}\n{err}");
    }
}

#[test]
fn every_toml_example_in_the_readme_is_valid_configuration() {
    let readme = include_str!("../../../README.md");
    let mut blocks = 0;
    for block in readme.split("```toml").skip(1) {
        let (info, rest) = block.split_once('\n').unwrap_or_default();
        if !info.trim().is_empty() {
            continue; // ```toml workflow: a workflow file, checked by postroom-workflows
        }
        let toml = rest.split("```").next().unwrap_or_default();
        if let Err(e) = Settings::from_toml(toml) {
            panic!("README example does not parse: {e}\n{toml}");
        }
        blocks += 1;
    }
    assert!(blocks >= 2, "the README's configuration examples were not found");
}
