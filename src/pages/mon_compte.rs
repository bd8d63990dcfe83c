//! « Mon compte » : l'identité du compte, « Changer d'adresse
//! électronique », l'habilitation d'un professionnel, « Certifier mon compte
//! avec FranceConnect », les sessions ouvertes, « Se déconnecter partout »,
//! « Supprimer mon compte ».

use crate::{
    api::{self, ClientError},
    components::{
        auth_guard::RequireAuth,
        field::TextField,
        form_errors::FormErrors,
        franceconnect::{partir_vers, EchecDeFranceConnect},
        soumission::Soumission,
        status::{ClientErrorAlert, Loading},
    },
};
use immat_domain::compte::{CertificationFranceConnect, ChangementAdresseElectronique, TypeCompte, VoieDeCertification};
use immat_domain::habilitation::{DeclarationHabilitation, EtatHabilitation, HabilitationVue, NatureHabilitation};
use immat_domain::{compte::MonCompte, Profil};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MonComptePage() -> impl IntoView {
    view! {
        <crate::components::page::TitrePage titre="Mon compte".to_owned() />
        <RequireAuth>
            <MonCompteVue />
        </RequireAuth>
    }
}

/// Quitte la session : un rechargement complet vers la connexion (aucun état
/// de la session ne survit dans la page).
fn vers_la_connexion() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign("/connexion");
    }
}

#[component]
fn MonCompteVue() -> impl IntoView {
    let compte = LocalResource::new(api::mon_compte);
    let query = use_query_map();
    view! {
        <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
            <ol class="fr-breadcrumb__list">
                <li><A href="/mon-espace" attr:class="fr-breadcrumb__link">"Mon Espace"</A></li>
                <li><a class="fr-breadcrumb__link" aria-current="page">"Mon compte"</a></li>
            </ol>
        </nav>
        <h1>"Mon compte"</h1>
        {move || (query.with(|q| q.get("franceconnect")).as_deref() == Some("representant")).then(|| view! {
            <div class="fr-alert fr-alert--success fr-mb-3w" role="status" data-testid="representant-confirme">
                <h2 class="fr-alert__title">"Identité du représentant légal confirmée"</h2>
                <p>"FranceConnect a confirmé l'identité du représentant légal. Le CERT vérifie qu'il représente la société "
                   "(extrait Kbis) : une fois la demande approuvée, le compte de la société est certifié et ses véhicules "
                   "inscrits à son SIREN le rejoignent."</p>
            </div>
        })}
        {move || (query.with(|q| q.get("franceconnect")).as_deref() == Some("certifie")).then(|| view! {
            <div class="fr-alert fr-alert--success fr-mb-3w" role="status" data-testid="certification-reussie">
                <h2 class="fr-alert__title">"Votre compte est certifié"</h2>
                <p>"FranceConnect a confirmé votre identité : votre compte ANTS est maintenant certifié et ouvre toutes les téléprocédures."</p>
            </div>
        })}
        <EchecDeFranceConnect code=Signal::derive(move || query.with(|q| q.get("franceconnect"))) />
        {move || match compte.get() {
            None => view! { <Loading label="Chargement de votre compte…" /> }.into_any(),
            Some(Err(e)) => view! { <ClientErrorAlert error=e /> }.into_any(),
            Some(Ok(c)) => view! { <Contenu c=c /> }.into_any(),
        }}
    }
}

#[component]
fn Contenu(c: MonCompte) -> impl IntoView {
    let u = c.utilisateur.clone();
    let agent = u.profil == Profil::AgentCert;
    let alerte = RwSignal::new(None::<ClientError>);
    let partout = Soumission::new(
        |(): ()| async move { api::deconnexion_partout().await },
        move |r| match r {
            Ok(()) => vers_la_connexion(),
            Err(e) => alerte.set(Some(e)),
        },
    );
    view! {
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        <h2 class="fr-h4">"Identité"</h2>
        <dl class="immat-identite" data-testid="identite">
            <dt>"Nom"</dt><dd>{u.nom_affiche()}</dd>
            {u.raison_sociale.clone().map(|rs| view! { <dt>"Raison sociale"</dt><dd>{rs}</dd> })}
            {u.siren.clone().map(|s| view! { <dt>"SIREN"</dt><dd>{s}</dd> })}
            <dt>"Adresse électronique"</dt><dd>{u.email.clone()}</dd>
            <dt>"Profil"</dt><dd>{u.profil.libelle()}</dd>
            <dt>"Type de compte"</dt><dd>{u.type_compte.libelle()}</dd>
        </dl>
        {(!agent).then(|| view! { <ChangementAdresse /> })}
        {matches!(u.profil, Profil::PersonneMorale | Profil::ProfessionnelHabilite).then(|| {
            view! { <HabilitationPro profil=u.profil existante=c.habilitation.clone() /> }
        })}
        // Le particulier, ou le représentant légal d'une société qui n'a pas
        // de demande en cours au CERT (la règle vient du domaine).
        {(u.type_compte == TypeCompte::Classique)
            .then(|| u.profil.certification_franceconnect(u.siren.is_some()))
            .flatten()
            .filter(|_| c.habilitation.as_ref().is_none_or(|h| h.etat.peut_redeclarer()))
            .map(|kind| view! { <Certification representant=kind == CertificationFranceConnect::RepresentantLegal /> })}
        <h2 class="fr-h4">"Sessions ouvertes"</h2>
        <div class="fr-table">
            <table data-testid="sessions">
                <caption>"Vos sessions ouvertes"</caption>
                <thead><tr><th scope="col">"Ouverte le"</th><th scope="col">"Expire le"</th><th scope="col">"Appareil"</th></tr></thead>
                <tbody>
                    {c.sessions.iter().map(|s| view! {
                        <tr>
                            <td>{s.ouverte_le.clone()}</td>
                            <td>{s.expire_le.clone()}</td>
                            <td>{if s.courante { "Cette session" } else { "Autre appareil ou navigateur" }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <button class="fr-btn fr-btn--secondary" type="button" disabled=move || partout.en_cours().get()
            on:click=move |_| { alerte.set(None); partout.envoyer(()); }>"Se déconnecter partout"</button>
        {(!agent).then(|| view! { <Suppression /> })}
    }
}

/// L'habilitation de professionnel de l'automobile : la déclarer (compte
/// d'une société), en suivre la vérification par le CERT.
#[component]
fn HabilitationPro(profil: Profil, existante: Option<HabilitationVue>) -> impl IntoView {
    let siret = RwSignal::new(String::new());
    let numero = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let actuelle = RwSignal::new(existante);
    let envoi = Soumission::new(
        |req: DeclarationHabilitation| async move { api::declarer_habilitation(&req).await },
        move |r| match r {
            Ok(h) => actuelle.set(Some(h)),
            Err(e) => errors.show(e, alerte),
        },
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        alerte.set(None);
        envoi.envoyer(DeclarationHabilitation { siret: siret.get_untracked(), numero: numero.get_untracked() });
    };
    let peut_declarer = move || {
        profil.voie_de_certification() == Some(VoieDeCertification::Habilitation)
            && actuelle.with(|h| h.as_ref().is_none_or(|h| h.etat.peut_redeclarer()))
    };
    view! {
        <section class="fr-mt-4w fr-mb-4w" id="habilitation" data-testid="habilitation">
            <h2 class="fr-h4">
                {move || actuelle.with(|h| match h {
                    Some(h) if h.nature == NatureHabilitation::RepresentantLegal => "Certification par le représentant légal",
                    _ => "Habilitation de professionnel de l'automobile",
                })}
            </h2>
            {move || actuelle.get().map(|h| view! {
                <div class=match h.etat {
                        EtatHabilitation::Approuvee => "fr-alert fr-alert--success fr-mb-3w",
                        EtatHabilitation::Refusee => "fr-alert fr-alert--error fr-mb-3w",
                        EtatHabilitation::EnAttente => "fr-alert fr-alert--info fr-mb-3w",
                    } role="status" data-testid="habilitation-etat">
                    <h3 class="fr-alert__title">{format!("{} — {}", h.nature.libelle(), h.etat.libelle())}</h3>
                    <p>{match &h.representant {
                        Some(r) => format!("Représentant légal : {r} ; SIREN {}, demandée le {}.", h.siret, h.demandee_le),
                        None => format!("SIRET {}, habilitation n° {}, demandée le {}.", h.siret, h.numero, h.demandee_le),
                    }}</p>
                    {h.motif_refus.clone().map(|m| view! { <p>{format!("Motif du refus : {m}")}</p> })}
                </div>
            })}
            <Show when=peut_declarer>
                <form on:submit=on_submit novalidate data-testid="habilitation-form">
                    <p>"Garage, concessionnaire ou mandataire habilité par la préfecture : déclarez votre habilitation. Une fois "
                       "vérifiée par le CERT, votre compte devient celui d'un professionnel habilité (compte certifié)."</p>
                    {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
                    <TextField id="siret" label="SIRET de l'établissement" hint="14 chiffres ; les 9 premiers sont le SIREN de la société du compte"
                        value=siret error=errors.of("siret") on_input=errors.clear_field("siret") autocomplete="off" required=true />
                    <TextField id="numero_habilitation" label="Numéro d'habilitation" hint="Tel qu'il figure sur l'arrêté préfectoral (par exemple HAB-75-2026-0042)"
                        value=numero error=errors.of("numero") on_input=errors.clear_field("numero") autocomplete="off" required=true />
                    <button class="fr-btn fr-btn--secondary" type="submit" disabled=move || envoi.en_cours().get()>"Déclarer mon habilitation"</button>
                </form>
            </Show>
        </section>
    }
}

/// « Changer d'adresse électronique » : la nouvelle adresse et le mot de
/// passe ; un lien part à la nouvelle adresse, qui ne devient celle du
/// compte qu'une fois le lien ouvert.
#[component]
fn ChangementAdresse() -> impl IntoView {
    let adresse = RwSignal::new(String::new());
    let mdp = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let fait = RwSignal::new(None::<String>);
    let envoi = Soumission::new(
        |req: ChangementAdresseElectronique| async move { api::changer_adresse(&req).await },
        move |r| match r {
            Ok(m) => {
                fait.set(Some(m.message));
                mdp.set(String::new());
            }
            Err(e) => errors.show(e, alerte),
        },
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        alerte.set(None);
        fait.set(None);
        envoi.envoyer(ChangementAdresseElectronique { nouvelle_adresse: adresse.get_untracked(), mot_de_passe: mdp.get_untracked() });
    };
    view! {
        <form on:submit=on_submit novalidate class="fr-mt-4w fr-mb-4w" data-testid="changement-adresse-form">
            <h2 class="fr-h4">"Changer d'adresse électronique"</h2>
            <p>"Un lien est envoyé à la nouvelle adresse : elle devient celle de votre compte quand vous l'ouvrez (24 heures). "
               "Votre adresse actuelle est prévenue du changement."</p>
            {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
            {move || fait.get().map(|m| view! {
                <div class="fr-alert fr-alert--success fr-mb-3w" role="status" data-testid="changement-adresse-envoye"><p>{m}</p></div>
            })}
            <TextField id="nouvelle_adresse" label="Nouvelle adresse électronique" hint="Format attendu : nom@domaine.fr" value=adresse
                error=errors.of("nouvelle_adresse") on_input=errors.clear_field("nouvelle_adresse") input_type="email"
                autocomplete="email" required=true />
            <TextField id="changement_mot_de_passe" label="Mot de passe" hint="Votre mot de passe confirme le changement." value=mdp
                error=errors.of("mot_de_passe") on_input=errors.clear_field("mot_de_passe") input_type="password"
                autocomplete="current-password" required=true />
            <button class="fr-btn fr-btn--secondary" type="submit" disabled=move || envoi.en_cours().get()>"Changer d'adresse électronique"</button>
        </form>
    }
}

/// « Certifier mon compte avec FranceConnect » : le mot de passe prouve que
/// le compte est à l'usager, puis le navigateur part chez le fournisseur.
#[component]
fn Certification(
    /// Le compte d'une société : FranceConnect identifie son représentant
    /// légal, que le CERT vérifie.
    representant: bool,
) -> impl IntoView {
    let mdp = RwSignal::new(String::new());
    // Venu de « Continuer avec FranceConnect » : le champ du mot de passe
    // prend le focus.
    if use_query_map().with_untracked(|q| q.get("certifier").is_some()) {
        request_animation_frame(|| {
            if let Some(champ) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("certification_mot_de_passe"))
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
            {
                let _ = champ.focus();
            }
        });
    }
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = Soumission::new(
        |mdp: String| async move { api::certifier_franceconnect(mdp).await },
        move |r| match r {
            Ok(url) => partir_vers(&url),
            Err(e) => errors.show(e, alerte),
        },
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        alerte.set(None);
        envoi.envoyer(mdp.get_untracked());
    };
    view! {
        <form on:submit=on_submit novalidate class="fr-mt-4w fr-mb-4w" id="certification" data-testid="certification-form">
            {if representant {
                view! {
                    <h2 class="fr-h4">"Certifier le compte de la société par son représentant légal"</h2>
                    <p>
                        "Un compte certifié ouvre toutes les téléprocédures, dont le changement de titulaire et la téléprocédure "
                        "complémentaire. Le représentant légal de la société s'identifie avec FranceConnect ; le CERT vérifie ensuite, "
                        "sur l'extrait Kbis, qu'il représente bien la société. Le compte reste celui de la société."
                    </p>
                }.into_any()
            } else {
                view! {
                    <h2 class="fr-h4">"Certifier mon compte avec FranceConnect"</h2>
                    <p>
                        "Un compte certifié ouvre toutes les téléprocédures, dont le changement de titulaire et la téléprocédure complémentaire. "
                        "FranceConnect confirme votre identité : vos nom, prénoms, date et lieu de naissance deviennent ceux de votre identité "
                        "FranceConnect ; votre adresse électronique ne change pas."
                    </p>
                }.into_any()
            }}
            {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
            <TextField id="certification_mot_de_passe" label="Mot de passe" hint="Votre mot de passe prouve que ce compte est le vôtre."
                value=mdp error=errors.of("mot_de_passe") on_input=errors.clear_field("mot_de_passe") input_type="password"
                autocomplete="current-password" required=true />
            <button class="fr-btn" type="submit" disabled=move || envoi.en_cours().get()>"Continuer avec FranceConnect"</button>
        </form>
    }
}

/// « Supprimer mon compte » : le mot de passe confirme ; refusé tant qu'une
/// démarche est en cours.
#[component]
fn Suppression() -> impl IntoView {
    let mdp = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = Soumission::new(
        |mdp: String| async move { api::supprimer_compte(mdp).await },
        move |r| match r {
            Ok(()) => vers_la_connexion(),
            Err(e) => errors.show(e, alerte),
        },
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        alerte.set(None);
        envoi.envoyer(mdp.get_untracked());
    };
    view! {
        <form on:submit=on_submit novalidate class="fr-mt-6w" data-testid="suppression-form">
            <h2 class="fr-h4">"Supprimer mon compte"</h2>
            <p>"Votre identité est effacée et vos véhicules ne sont plus rattachés à ce compte ; les démarches terminées sont conservées. "
               "Un compte qui a une démarche en cours ne peut pas être supprimé."</p>
            {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
            <TextField id="mot_de_passe" label="Mot de passe" hint="Votre mot de passe confirme la suppression." value=mdp
                error=errors.of("mot_de_passe") on_input=errors.clear_field("mot_de_passe") input_type="password"
                autocomplete="current-password" required=true />
            <button class="fr-btn fr-btn--tertiary" type="submit" disabled=move || envoi.en_cours().get()>"Supprimer mon compte"</button>
        </form>
    }
}
