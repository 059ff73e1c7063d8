//! The reply components: what replies are drafted with, and the send worker.

use std::sync::Arc;

use anyhow::Context;

use postroom_config::Settings;
use postroom_templates::Templates;

/// What replies are drafted with: the catalogue's checked templates, the charge rates, the
/// working-day calendar and `[replies]`.
pub(crate) fn replying(
    settings: &Settings,
    templates: Arc<Templates>,
    calendar: Arc<postroom_domain::WorkingCalendar>,
) -> anyhow::Result<Arc<postroom_casework::Replying>> {
    let r = &settings.replies;
    let message_id_domain = postroom_config::domain_of(&r.from)
        .with_context(|| format!("replies.from = {:?} has no domain for our Message-IDs", r.from))?
        .to_owned();
    Ok(Arc::new(postroom_casework::Replying {
        templates,
        rates: Arc::new(settings.charges.rates()),
        calendar,
        identity: postroom_casework::ReplyIdentity {
            council: r.council.clone(),
            address: r.address.clone(),
            phone: r.phone.clone(),
            email: r.email.clone(),
            website: r.website.clone(),
            team: r.team.clone(),
            signature: r.signature.clone(),
            message_id_domain,
        },
    }))
}

/// The send worker: SMTP when `[smtp] host` is set, else `.eml` files in the outbox directory.
pub(crate) fn send_replies(
    settings: &Settings,
    casework: postroom_casework::Casework,
    storage: postroom_storage::ObjectStorage,
) -> anyhow::Result<postroom_worker::SendReplies> {
    use postroom_worker::Sender;
    let transport = transport(settings)?;
    let sender = Sender { from: settings.replies.from.clone(), reply_to: settings.replies.reply_to.clone() };
    let lease = std::time::Duration::from_secs(settings.replies.sending_lease_secs);
    Ok(postroom_worker::SendReplies::new(casework, storage, transport, sender, lease))
}

/// How emails leave: SMTP when `[smtp] host` is set, else `.eml` files in the outbox directory.
fn transport(settings: &Settings) -> anyhow::Result<postroom_worker::Transport> {
    use postroom_worker::Transport;
    Ok(match postroom_mail::SmtpSender::new(&settings.smtp).context("[smtp] is not usable")? {
        Some(smtp) => {
            tracing::info!(host = settings.smtp.host.as_deref().unwrap_or_default(), "emails are sent by SMTP");
            Transport::Smtp(Arc::new(smtp))
        }
        None => {
            let dir = settings.replies.outbox_dir.clone().unwrap_or_else(|| settings.data_dir.join("outbox"));
            tracing::info!(dir = %dir.display(), "no [smtp] host: emails are written as .eml files");
            Transport::Directory(dir)
        }
    })
}

/// The team leaders' escalations and daily digest (`[team_leaders]`), sent the way replies are.
pub(crate) fn oversight(
    settings: &Settings,
    db: sea_orm::DatabaseConnection,
    casework: postroom_casework::Casework,
) -> anyhow::Result<postroom_worker::Oversight> {
    let t = &settings.team_leaders;
    let digest = if t.digest_to.is_empty() {
        None
    } else {
        let digest = postroom_worker::DigestSettings {
            to: t.digest_to.clone(),
            at: t.digest_at,
            from: settings.replies.from.clone(),
            max_items: t.digest_max_items,
            lease: std::time::Duration::from_secs(settings.replies.sending_lease_secs),
        };
        Some((digest, transport(settings)?))
    };
    Ok(postroom_worker::Oversight::new(db, casework, t.warning_working_days, t.escalations, digest))
}
