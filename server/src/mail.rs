//! Envoi des e-mails par un relais SMTP, quand la configuration en donne un.
//! Chaque e-mail est d'abord écrit dans la boîte d'envoi (table `envoi`) :
//! un relais absent ou en panne ne perd rien.

use crate::config::Config;
use lettre::{message::header::ContentType, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Hôte et port d'une URL `smtp://hôte:port` (port 25 par défaut).
pub fn parse_smtp_url(url: &str) -> anyhow::Result<(String, u16)> {
    let reste = url.strip_prefix("smtp://").ok_or_else(|| anyhow::anyhow!("URL SMTP attendue : smtp://hôte:port"))?;
    let reste = reste.trim_end_matches('/');
    match reste.rsplit_once(':') {
        Some((h, p)) => Ok((h.to_owned(), p.parse().map_err(|_| anyhow::anyhow!("port SMTP invalide : {p}"))?)),
        None => Ok((reste.to_owned(), 25)),
    }
}

/// Envoie un e-mail texte si un relais est configuré ; `Ok(false)` sinon.
pub async fn envoyer(config: &Config, a: &str, objet: &str, corps: &str) -> anyhow::Result<bool> {
    let Some(url) = &config.smtp_url else {
        return Ok(false);
    };
    let (hote, port) = parse_smtp_url(url)?;
    let message = Message::builder()
        .from(config.smtp_from.parse()?)
        .to(a.parse()?)
        .subject(objet)
        .header(ContentType::TEXT_PLAIN)
        .body(corps.to_owned())?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(hote).port(port).build();
    transport.send(message).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_smtp() {
        assert_eq!(parse_smtp_url("smtp://127.0.0.1:1025").unwrap(), ("127.0.0.1".into(), 1025));
        assert_eq!(parse_smtp_url("smtp://relais.local").unwrap(), ("relais.local".into(), 25));
        assert!(parse_smtp_url("http://x").is_err());
        assert!(parse_smtp_url("smtp://x:port").is_err());
    }
}
