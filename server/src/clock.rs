//! L'horloge du serveur, injectée : le code lit l'heure par `AppState::clock`,
//! jamais par `OffsetDateTime::now_utc()` ; les tests la fixent et l'avancent.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};
use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// L'heure du système.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Une horloge réglable (tests) : elle ne bouge que quand on l'avance.
#[derive(Debug, Clone)]
pub struct ManualClock {
    unix_nanos: Arc<AtomicI64>,
}

impl ManualClock {
    pub fn at(t: OffsetDateTime) -> Self {
        let nanos = i64::try_from(t.unix_timestamp_nanos()).unwrap_or(i64::MAX);
        Self { unix_nanos: Arc::new(AtomicI64::new(nanos)) }
    }

    pub fn advance(&self, d: Duration) {
        let nanos = i64::try_from(d.whole_nanoseconds()).unwrap_or(i64::MAX);
        self.unix_nanos.fetch_add(nanos, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.unix_nanos.load(Ordering::SeqCst))).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn horloge_manuelle() {
        let c = ManualClock::at(datetime!(2026-11-27 10:00 UTC));
        assert_eq!(c.now(), datetime!(2026-11-27 10:00 UTC));
        c.advance(Duration::minutes(16));
        assert_eq!(c.now(), datetime!(2026-11-27 10:16 UTC));
    }
}
