//! L'heure de Paris, par la base des fuseaux horaires (jiff, base IANA
//! embarquée) : pas de règle d'heure d'été écrite à la main.

use immat_domain::date_heure_fr;
use time::OffsetDateTime;

fn paris() -> &'static Option<jiff::tz::TimeZone> {
    static PARIS: std::sync::OnceLock<Option<jiff::tz::TimeZone>> = std::sync::OnceLock::new();
    PARIS.get_or_init(|| jiff::tz::TimeZone::get("Europe/Paris").ok())
}

/// La date du jour à Paris (UTC sans base des fuseaux).
pub fn date_de_paris(t: OffsetDateTime) -> time::Date {
    let zonee = paris().as_ref().zip(jiff::Timestamp::from_second(t.unix_timestamp()).ok()).map(|(tz, ts)| ts.to_zoned(tz.clone()));
    zonee
        .and_then(|z| {
            let mois = time::Month::try_from(z.month() as u8).ok()?;
            time::Date::from_calendar_date(i32::from(z.year()), mois, z.day() as u8).ok()
        })
        .unwrap_or(t.date())
}

/// Date et heure lisibles, heure de Paris : `27/11/2026 à 15:05`.
pub fn horodatage(t: OffsetDateTime) -> String {
    let paris = paris();
    match (paris, jiff::Timestamp::from_second(t.unix_timestamp())) {
        (Some(tz), Ok(ts)) => {
            let z = ts.to_zoned(tz.clone());
            let (annee, mois, jour) = (i32::from(z.year()), z.month(), z.day());
            match time::Month::try_from(mois as u8).ok().and_then(|m| time::Date::from_calendar_date(annee, m, jour as u8).ok()) {
                Some(d) => date_heure_fr(d, z.hour() as u8, z.minute() as u8),
                None => format!("{} (UTC)", date_heure_fr(t.date(), t.hour(), t.minute())),
            }
        }
        // Sans base des fuseaux (impossible avec la base embarquée) : UTC, dit.
        _ => format!("{} (UTC)", date_heure_fr(t.date(), t.hour(), t.minute())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn heure_de_paris_hiver_et_ete() {
        assert_eq!(horodatage(datetime!(2026-11-27 14:05 UTC)), "27/11/2026 à 15:05");
        assert_eq!(horodatage(datetime!(2026-07-14 10:00 UTC)), "14/07/2026 à 12:00");
        // Changements d'heure 2026 : 29 mars et 25 octobre, à 01:00 UTC.
        assert_eq!(horodatage(datetime!(2026-03-29 00:59 UTC)), "29/03/2026 à 01:59");
        assert_eq!(horodatage(datetime!(2026-03-29 01:00 UTC)), "29/03/2026 à 03:00");
        assert_eq!(horodatage(datetime!(2026-10-25 00:59 UTC)), "25/10/2026 à 02:59");
        assert_eq!(horodatage(datetime!(2026-10-25 01:00 UTC)), "25/10/2026 à 02:00");
        assert_eq!(horodatage(datetime!(2026-12-31 23:30 UTC)), "01/01/2027 à 00:30");
        // 1995 : l'heure d'hiver revenait le dernier dimanche de septembre.
        assert_eq!(horodatage(datetime!(1995-10-10 12:00 UTC)), "10/10/1995 à 13:00");
    }
}
