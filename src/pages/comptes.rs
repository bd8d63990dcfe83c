//! Les comptes classiques : « Créer un compte », la confirmation de
//! l'adresse (le lien reçu par e-mail), « Mot de passe oublié » et le
//! nouveau mot de passe. Le domaine valide en direct ; le serveur revalide.

use crate::{
    api::{self, ClientError},
    components::{
        field::TextField, form_errors::FormErrors, franceconnect::BoutonFranceConnect, soumission::Soumission, status::ClientErrorAlert,
        wizard::RadioGroup,
    },
};
use immat_domain::compte::{
    valider_mot_de_passe, Civilite, DemandeReinitialisation, InscriptionSaisie, NouveauMotDePasse, Personne, REGLE_MOT_DE_PASSE,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_query_map};

/// Le message du serveur, une fois l'envoi fait (le formulaire s'efface).
#[component]
fn Fait(message: String) -> impl IntoView {
    view! {
        <div class="fr-alert fr-alert--success fr-mb-3w" role="status" data-testid="compte-message">
            <h2 class="fr-alert__title">"C'est fait"</h2>
            <p>{message}</p>
        </div>
    }
}

fn cadre(titre: &'static str, contenu: impl IntoView + 'static) -> impl IntoView {
    view! {
        <crate::components::page::TitrePage titre=titre.to_owned() />
        <div class="fr-grid-row fr-grid-row--center">
            <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                <h1>{titre}</h1>
                {contenu}
            </div>
        </div>
    }
}

/// `/inscription` : « Créer un compte ».
#[component]
pub fn InscriptionPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let mdp = RwSignal::new(String::new());
    let civilite = RwSignal::new(None::<Civilite>);
    let nom = RwSignal::new(String::new());
    let prenoms = RwSignal::new(String::new());
    let personne = RwSignal::new(None::<Personne>);
    let siren = RwSignal::new(String::new());
    let raison_sociale = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let fait = RwSignal::new(None::<String>);
    let saisie = move || InscriptionSaisie {
        email: email.get_untracked(),
        mot_de_passe: mdp.get_untracked(),
        civilite: civilite.get_untracked(),
        nom: nom.get_untracked(),
        prenoms: prenoms.get_untracked(),
        personne: personne.get_untracked(),
        siren: siren.get_untracked(),
        raison_sociale: raison_sociale.get_untracked(),
    };
    let envoi = Soumission::new(
        |req: InscriptionSaisie| async move { api::inscription(&req).await },
        move |r| match r {
            Ok(m) => fait.set(Some(m.message)),
            Err(e) => {
                mdp.set(String::new());
                errors.show(e, alerte)
            }
        },
    );
    let pending = envoi.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        alerte.set(None);
        let req = saisie();
        if errors.retenir(req.valider()).is_some() {
            envoi.envoyer(req);
        }
    };
    let formulaire = move || {
        view! {
            <p>"Un compte ANTS est nécessaire pour faire une démarche. Tous les champs sont obligatoires."</p>
            {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
            <form on:submit=on_submit novalidate data-testid="inscription-form">
                <TextField id="email" label="Adresse électronique" hint="Format attendu : nom@domaine.fr" value=email
                    error=errors.of("email") input_type="email" autocomplete="email" required=true />
                <TextField id="mot_de_passe" label="Mot de passe" hint=REGLE_MOT_DE_PASSE value=mdp
                    error=errors.of("mot_de_passe") input_type="password" autocomplete="new-password" required=true />
                <RadioGroup name="civilite" legend="Civilité" value=civilite error=errors.of("civilite")
                    options=Civilite::TOUTES.into_iter().map(|c| (Some(c), c.libelle().to_owned())).collect() />
                <TextField id="nom" label="Nom" value=nom error=errors.of("nom") autocomplete="family-name" required=true />
                <TextField id="prenoms" label="Prénoms" value=prenoms error=errors.of("prenoms") autocomplete="given-name" required=true />
                <RadioGroup name="personne" legend="Le compte est celui de" value=personne error=errors.of("personne")
                    options=Personne::TOUTES.into_iter().map(|p| (Some(p), p.libelle().to_owned())).collect() />
                {move || (personne.get() == Some(Personne::Morale)).then(|| view! {
                    <p class="fr-text--sm">"Le nom et les prénoms saisis plus haut sont ceux du représentant."</p>
                    <TextField id="raison_sociale" label="Raison sociale" value=raison_sociale error=errors.of("raison_sociale")
                        autocomplete="organization" required=true />
                    <TextField id="siren" label="Numéro SIREN" hint="9 chiffres, par exemple 732 829 320" value=siren
                        error=errors.of("siren") required=true />
                })}
                <button class="fr-btn fr-mt-2w" type="submit" disabled=move || pending.get()>"Créer mon compte"</button>
            </form>
            <p class="fr-mt-3w"><A href="/connexion">"J'ai déjà un compte : se connecter"</A></p>
        }
    };
    cadre(
        "Créer un compte",
        view! {
            {move || match fait.get() {
                Some(m) => view! { <Fait message=m /> <A href="/connexion" attr:class="fr-btn fr-btn--secondary">"Aller à la connexion"</A> }.into_any(),
                None => view! {
                    <h2 class="fr-h5">"Créer un compte certifié avec FranceConnect"</h2>
                    <p class="fr-text--sm">
                        "Recommandé : un compte créé avec FranceConnect est certifié et ouvre toutes les téléprocédures, "
                        "dont le changement de titulaire."
                    </p>
                    <BoutonFranceConnect />
                    <p class="fr-hr-or">"ou"</p>
                    <h2 class="fr-h5">"Créer un compte avec une adresse électronique"</h2>
                    {formulaire()}
                }.into_any(),
            }}
        },
    )
}

/// `/confirmation-adresse?jeton=…` : le lien reçu à la nouvelle adresse.
#[component]
pub fn ConfirmationAdressePage() -> impl IntoView {
    let jeton = use_query_map().with_untracked(|q| q.get("jeton")).unwrap_or_default();
    let resultat = RwSignal::new(None::<Result<String, ClientError>>);
    spawn_local(async move {
        resultat.set(Some(api::confirmer_adresse(&jeton).await.map(|m| m.message)));
    });
    cadre(
        "Confirmation de votre nouvelle adresse électronique",
        view! {
            {move || match resultat.get() {
                None => view! { <crate::components::status::Loading label="Confirmation en cours…" /> }.into_any(),
                Some(Ok(m)) => view! { <Fait message=m /> <A href="/mon-compte" attr:class="fr-btn">"Mon compte"</A> }.into_any(),
                Some(Err(e)) => view! { <ClientErrorAlert error=e /> <A href="/mon-compte" attr:class="fr-btn fr-btn--secondary">"Mon compte"</A> }.into_any(),
            }}
        },
    )
}

/// `/confirmation?jeton=…` : le lien reçu par e-mail.
#[component]
pub fn ConfirmationPage() -> impl IntoView {
    let jeton = use_query_map().with_untracked(|q| q.get("jeton")).unwrap_or_default();
    let resultat = RwSignal::new(None::<Result<String, ClientError>>);
    spawn_local(async move {
        resultat.set(Some(api::confirmer_compte(&jeton).await.map(|m| m.message)));
    });
    cadre(
        "Confirmation de votre adresse électronique",
        view! {
            {move || match resultat.get() {
                None => view! { <crate::components::status::Loading label="Confirmation en cours…" /> }.into_any(),
                Some(Ok(m)) => view! { <Fait message=m /> <A href="/connexion" attr:class="fr-btn">"Se connecter"</A> }.into_any(),
                Some(Err(e)) => view! { <ClientErrorAlert error=e /> <A href="/inscription" attr:class="fr-btn fr-btn--secondary">"Créer un compte"</A> }.into_any(),
            }}
        },
    )
}

/// `/mot-de-passe-oublie`.
#[component]
pub fn MotDePasseOubliePage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let fait = RwSignal::new(None::<String>);
    let envoi = Soumission::new(
        |req: DemandeReinitialisation| async move { api::mot_de_passe_oublie(&req).await },
        move |r| match r {
            Ok(m) => fait.set(Some(m.message)),
            Err(e) => errors.show(e, alerte),
        },
    );
    let pending = envoi.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = DemandeReinitialisation { email: email.get_untracked() };
        let r = immat_domain::Email::parse(&req.email).map_err(|e| vec![immat_domain::api::ChampErreur::new("email", e)]);
        if errors.retenir(r).is_some() {
            envoi.envoyer(req);
        }
    };
    cadre(
        "Mot de passe oublié",
        view! {
            {move || match fait.get() {
                Some(m) => view! { <Fait message=m /> }.into_any(),
                None => view! {
                    {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
                    <form on:submit=on_submit novalidate>
                        <TextField id="email" label="Adresse électronique de votre compte" hint="Format attendu : nom@domaine.fr"
                            value=email error=errors.of("email") input_type="email" autocomplete="email" required=true />
                        <button class="fr-btn" type="submit" disabled=move || pending.get()>"Recevoir un lien"</button>
                    </form>
                }.into_any(),
            }}
            <p class="fr-mt-3w"><A href="/connexion">"Retour à la connexion"</A></p>
        },
    )
}

/// `/nouveau-mot-de-passe?jeton=…` : le lien reçu par e-mail.
#[component]
pub fn NouveauMotDePassePage() -> impl IntoView {
    let jeton = use_query_map().with_untracked(|q| q.get("jeton")).unwrap_or_default();
    let mdp = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let fait = RwSignal::new(None::<String>);
    let envoi = Soumission::new(
        |req: NouveauMotDePasse| async move { api::nouveau_mot_de_passe(&req).await },
        move |r| match r {
            Ok(m) => fait.set(Some(m.message)),
            Err(e) => errors.show(e, alerte),
        },
    );
    let pending = envoi.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = NouveauMotDePasse { jeton: jeton.clone(), mot_de_passe: mdp.get_untracked() };
        // L'adresse n'est pas connue ici : le serveur complète la règle.
        let r = valider_mot_de_passe(&req.mot_de_passe, "").map_err(|m| vec![immat_domain::api::ChampErreur::new("mot_de_passe", m)]);
        if errors.retenir(r).is_some() {
            envoi.envoyer(req);
        }
    };
    cadre(
        "Choisir un nouveau mot de passe",
        view! {
            {move || match fait.get() {
                Some(m) => view! { <Fait message=m /> <A href="/connexion" attr:class="fr-btn">"Se connecter"</A> }.into_any(),
                None => view! {
                    {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
                    <form on:submit=on_submit.clone() novalidate>
                        <TextField id="mot_de_passe" label="Nouveau mot de passe" hint=REGLE_MOT_DE_PASSE value=mdp
                            error=errors.of("mot_de_passe") input_type="password" autocomplete="new-password" required=true />
                        <button class="fr-btn" type="submit" disabled=move || pending.get()>"Enregistrer le mot de passe"</button>
                    </form>
                }.into_any(),
            }}
        },
    )
}
