//! Connexion : validation en direct avec les types du domaine, erreurs au
//! champ, l'adresse saisie est conservée en cas d'échec.

use crate::{
    api::{self, ClientError},
    components::{
        auth_guard::safe_return_path,
        field::TextField,
        form_errors::focus_first_error,
        franceconnect::{BoutonFranceConnect, EchecDeFranceConnect},
        soumission::Soumission,
    },
    session::use_session,
};
use immat_domain::api::LoginRequest;
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<ClientError>);

    let request = move || LoginRequest { email: email.get_untracked(), password: password.get_untracked() };
    let apply = move |errs: &[immat_domain::api::ChampErreur]| {
        let find = |c: &str| errs.iter().find(|e| e.champ == c).map(|e| e.message.clone());
        email_error.set(find("email"));
        password_error.set(find("password"));
    };
    let validate_email = Callback::new(move |()| {
        let errs = request().valider().err().unwrap_or_default();
        email_error.set(errs.iter().find(|e| e.champ == "email").map(|e| e.message.clone()));
    });

    let connexion = {
        let navigate = navigate.clone();
        Soumission::new(
            |req: LoginRequest| async move { api::login(&req).await },
            move |r| match r {
                Ok(u) => {
                    session.user.set(Some(u));
                    session.unreachable.set(false);
                    let retour = safe_return_path(query.with_untracked(|q| q.get("retour")));
                    navigate(&retour, Default::default());
                }
                Err(e) => {
                    if let Some(api) = e.api() {
                        apply(&api.champs);
                    }
                    form_error.set(Some(e));
                    password.set(String::new());
                    focus_first_error();
                }
            },
        )
    };
    let pending = connexion.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form_error.set(None);
        let req = request();
        if let Err(errs) = req.valider() {
            apply(&errs);
            focus_first_error();
            return;
        }
        apply(&[]);
        connexion.envoyer(req);
    };

    view! {
        <crate::components::page::TitrePage titre="Connexion à Mon Espace".to_owned() />
        <div class="fr-grid-row fr-grid-row--center">
            <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                <h1>"Connexion à Mon Espace"</h1>
                <EchecDeFranceConnect code=Signal::derive(move || query.with(|q| q.get("franceconnect"))) />
                <h2 class="fr-h5">"Avec FranceConnect (compte certifié)"</h2>
                <p class="fr-text--sm">
                    "FranceConnect vous identifie avec un compte que vous avez déjà (impots.gouv.fr, ameli.fr, l'Identité Numérique La Poste…). "
                    "Votre compte ANTS est alors certifié : il ouvre toutes les téléprocédures."
                </p>
                <BoutonFranceConnect />
                <p class="fr-hr-or">"ou"</p>
                <form on:submit=on_submit novalidate aria-labelledby="titre-connexion" data-testid="login-form">
                    <fieldset class="fr-fieldset" aria-labelledby="titre-connexion">
                        <legend class="fr-fieldset__legend" id="titre-connexion">
                            "Se connecter avec son compte ANTS"
                        </legend>
                        {move || {
                            form_error.get().map(|e| {
                                let title = if matches!(e, ClientError::Injoignable) {
                                    "Service injoignable"
                                } else {
                                    "Connexion impossible"
                                };
                                view! {
                                    <div class="fr-alert fr-alert--error fr-mb-3w" role="alert" data-testid="login-error">
                                        <h2 class="fr-alert__title">{title}</h2>
                                        <p>{e.to_string()}</p>
                                    </div>
                                }
                            })
                        }}
                        <div class="fr-fieldset__element">
                            <TextField
                                id="email"
                                label="Adresse électronique"
                                hint="Format attendu : nom@domaine.fr"
                                value=email
                                error=email_error
                                on_input=Callback::new(move |()| email_error.set(None))
                                input_type="email"
                                autocomplete="email"
                                required=true
                                on_blur=validate_email
                            />
                        </div>
                        <div class="fr-fieldset__element">
                            <TextField
                                id="password"
                                label="Mot de passe"
                                value=password
                                error=password_error
                                input_type="password"
                                autocomplete="current-password"
                                required=true
                            />
                        </div>
                        <div class="fr-fieldset__element">
                            <p class="fr-text--sm"><A href="/mot-de-passe-oublie">"Mot de passe oublié ?"</A></p>
                        </div>
                        <div class="fr-fieldset__element">
                            <button class="fr-btn" type="submit" disabled=move || pending.get()>
                                {move || if pending.get() { "Connexion…" } else { "Se connecter" }}
                            </button>
                        </div>
                    </fieldset>
                </form>
                <hr class="fr-mt-4w" />
                <h2 class="fr-h5">"Vous n'avez pas de compte ?"</h2>
                <A href="/inscription" attr:class="fr-btn fr-btn--secondary">"Créer un compte"</A>
            </div>
        </div>
    }
}
