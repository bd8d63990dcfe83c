//! L'état de session partagé par tout le SPA (contexte Leptos).

use crate::api;
use immat_domain::api::Utilisateur;
use leptos::{prelude::*, task::spawn_local};

#[derive(Clone, Copy)]
pub struct Session {
    /// L'usager connecté.
    pub user: RwSignal<Option<Utilisateur>>,
    /// Vrai une fois la session vérifiée auprès du serveur.
    pub ready: RwSignal<bool>,
    /// Le serveur n'a pas répondu à la vérification.
    pub unreachable: RwSignal<bool>,
    /// Le bandeau de démonstration (affiché par défaut jusqu'à ce que le
    /// serveur dise le contraire).
    pub bandeau_demo: RwSignal<Option<String>>,
    /// FranceConnect est configuré sur le serveur.
    pub franceconnect: RwSignal<Option<bool>>,
}

pub const BANDEAU_PAR_DEFAUT: &str = "Environnement de démonstration — service non officiel";

impl Session {
    pub fn provide() -> Self {
        let s = Self {
            user: RwSignal::new(None),
            ready: RwSignal::new(false),
            unreachable: RwSignal::new(false),
            bandeau_demo: RwSignal::new(Some(BANDEAU_PAR_DEFAUT.to_owned())),
            franceconnect: RwSignal::new(None),
        };
        provide_context(s);
        s.refresh();
        spawn_local(async move {
            if let Ok(c) = api::config().await {
                s.bandeau_demo.set(c.bandeau_demo);
                s.franceconnect.set(Some(c.franceconnect));
            }
        });
        s
    }

    /// Redemande au serveur qui est connecté.
    pub fn refresh(self) {
        spawn_local(async move {
            match api::me().await {
                Ok(u) => {
                    self.user.set(u);
                    self.unreachable.set(false);
                }
                Err(_) => self.unreachable.set(true),
            }
            self.ready.set(true);
        });
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
