//! Les erreurs d'un formulaire, par champ, telles que le domaine ou l'API
//! les rendent (`adresse.code_postal`…).

use crate::api::ClientError;
use immat_domain::api::ChampErreur;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct FormErrors(RwSignal<Vec<ChampErreur>>);

impl FormErrors {
    pub fn new() -> Self {
        Self(RwSignal::new(Vec::new()))
    }
    pub fn set(&self, e: Vec<ChampErreur>) {
        self.0.set(e);
    }
    pub fn clear(&self) {
        self.0.set(Vec::new());
    }
    /// Le message du champ `name`, comme signal.
    pub fn of(&self, name: impl Into<String>) -> Signal<Option<String>> {
        let (s, name) = (self.0, name.into());
        Signal::derive(move || s.with(|v| v.iter().find(|c| c.champ == name).map(|c| c.message.clone())))
    }
    /// Montre l'erreur d'un appel à l'API : aux champs si elle en nomme,
    /// sinon dans l'alerte du formulaire ; le focus va à la première erreur.
    pub fn show(&self, e: ClientError, alerte: RwSignal<Option<ClientError>>) {
        match e.api() {
            Some(api) if !api.champs.is_empty() => {
                self.set(api.champs.clone());
                alerte.set(None);
            }
            _ => alerte.set(Some(e)),
        }
        focus_first_error();
    }

    /// La validation en direct, par le domaine, avant l'envoi : en cas
    /// d'erreur, elle s'affiche aux champs et le focus va à la première
    /// (`None`) ; sinon les erreurs s'effacent.
    pub fn retenir<T>(&self, r: Result<T, Vec<ChampErreur>>) -> Option<T> {
        match r {
            Ok(t) => {
                self.clear();
                Some(t)
            }
            Err(e) => {
                self.set(e);
                focus_first_error();
                None
            }
        }
    }

    /// Efface l'erreur d'un champ (l'usager le corrige).
    pub fn clear_field(&self, name: impl Into<String>) -> Callback<()> {
        let (s, name) = (self.0, name.into());
        Callback::new(move |()| {
            if s.with_untracked(|v| v.iter().any(|c| c.champ == name)) {
                s.update(|v| v.retain(|c| c.champ != name));
            }
        })
    }
    /// Remplace les erreurs des champs `names` par celles de `e`.
    pub fn set_fields(&self, names: &[&str], e: &[ChampErreur]) {
        self.0.update(|v| {
            v.retain(|c| !names.contains(&c.champ.as_str()));
            v.extend(e.iter().filter(|c| names.contains(&c.champ.as_str())).cloned());
        });
    }
}

impl Default for FormErrors {
    fn default() -> Self {
        Self::new()
    }
}

/// Place le focus sur le premier champ en erreur (RGAA : l'usager au clavier
/// ou au lecteur d'écran arrive sur l'erreur).
pub fn focus_first_error() {
    leptos::task::spawn_local(async {
        leptos::task::tick().await;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Ok(Some(el)) = doc.query_selector("[aria-invalid='true'], [data-focus-error]") {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

/// Ramène la page en haut (changement d'étape).
pub fn scroll_top() {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Le focus sur le premier élément désigné, une fois rendu (un titre
/// d'étape, une confirmation qui vient de s'ouvrir).
pub fn focus_sur(selecteur: &'static str) {
    leptos::task::spawn_local(async move {
        leptos::task::tick().await;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Ok(Some(el)) = doc.query_selector(selecteur) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                if !el.has_attribute("tabindex") && !el.matches("a, button, input, select, textarea").unwrap_or(false) {
                    let _ = el.set_attribute("tabindex", "-1");
                }
                let _ = el.focus();
            }
        }
    });
}

/// Au changement d'étape, le focus va sur le titre de l'étape (ou de la fin
/// de la demande) : le lecteur d'écran annonce où l'on est.
pub fn focus_titre_etape() {
    focus_sur(".fr-stepper__title, [data-testid='demande-terminee'] h2, [role='status'] h2");
}
