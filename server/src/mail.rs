//! Replies by email. A reply's email is written to the outbox in the reply's own
//! transaction (so an acknowledged reply is never lost) and sent from there by a task of
//! its own, with retries, never inside the request. Without an SMTP server configured
//! no email is written and the tracking page is the shopper's channel.

use crate::config::{SmtpArgs, SmtpTls};
use hark_core::store::{InvitationMail, Mail, OutboxMail, ReplyContext, SharedComposer};
use hark_core::words::Language;
use hark_core::Store;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

/// How a reply's email reads: in the shopper's language, the reply itself and the link
/// to their tracking page.
pub fn composer(public_url: &str, smtp: &SmtpArgs) -> SharedComposer {
    if smtp.host.is_none() {
        return Arc::new(|_: &ReplyContext<'_>| None);
    }
    let public_url = public_url.to_owned();
    Arc::new(move |reply: &ReplyContext<'_>| {
        let text = Language::from_locale(reply.locale.unwrap_or_default()).pages();
        let link = format!("{public_url}/track/{}", reply.track_token);
        Some(Mail {
            recipient: reply.email.to_owned(),
            subject: format!("{}{}", text.mail_subject, reply.site_name),
            body: format!("{}\n\n{}\n{link}\n", reply.body, text.mail_follow),
        })
    })
}

/// Where an invitation is accepted.
pub fn invite_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/admin/invite/{token}")
}

/// How an invitation's email reads: in English and Chinese (the invitee's language is
/// not known yet), with the link; none without an SMTP server.
pub fn invitation_mail(public_url: &str, smtp: &SmtpArgs) -> Arc<InvitationMail> {
    if smtp.host.is_none() {
        return Arc::new(|_: &str, _: &str, _: &str| None);
    }
    let public_url = public_url.to_owned();
    Arc::new(move |org: &str, email: &str, token: &str| {
        let link = invite_url(&public_url, token);
        let days = hark_core::store::INVITATION_DAYS;
        Some(Mail {
            recipient: email.to_owned(),
            subject: format!("Join {org} on Hark · 加入 {org} 的 Hark"),
            body: format!(
                "You are invited to answer {org}'s customers with Hark. Choose a password here \
                 (the link works once, for {days} days):\n{link}\n\n\
                 {org} 邀请您使用 Hark 回复顾客。请在此设置密码（链接仅可使用一次，{days} 天内有效）：\n{link}\n"
            ),
        })
    })
}

/// The SMTP connection the sender uses, from the flags.
fn transport(smtp: &SmtpArgs) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let host = smtp.host.as_deref().expect("only built with a host");
    let builder = match smtp.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
    };
    let mut builder = builder.port(smtp.port).timeout(Some(Duration::from_secs(20)));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// Starts the sender when SMTP is configured.
pub fn spawn_sender(store: Store, smtp: &SmtpArgs) -> anyhow::Result<()> {
    if smtp.host.is_none() {
        return Ok(());
    }
    let transport = transport(smtp)?;
    let from: lettre::message::Mailbox = smtp.from.parse()?;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            match store.take_mail(20).await {
                Ok(mails) => {
                    for mail in mails {
                        send(&store, &transport, &from, mail).await;
                    }
                }
                Err(err) => tracing::warn!(error = %err, "reading the outbox failed"),
            }
        }
    });
    Ok(())
}

async fn send(
    store: &Store,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &lettre::message::Mailbox,
    mail: OutboxMail,
) {
    let message = mail.recipient.parse().map_err(|e: lettre::address::AddressError| e.to_string()).and_then(|to| {
        Message::builder()
            .from(from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| e.to_string())
    });
    let outcome = match message {
        Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        Err(err) => Err(err),
    };
    let recorded = match outcome {
        Ok(()) => store.mail_sent(&mail.id).await,
        Err(err) => {
            tracing::warn!(error = %err, attempts = mail.attempts + 1, "sending a reply's email failed");
            store.mail_failed(&mail, &err).await
        }
    };
    if let Err(err) = recorded {
        tracing::warn!(error = %err, "recording an email's delivery failed");
    }
}
