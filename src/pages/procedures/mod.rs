//! Les téléprocédures : démarrage commun, assistant par étapes, et un
//! module par téléprocédure pour sa saisie propre.

mod cession;
mod changement_adresse;
mod changement_titulaire;
mod complementaire;
mod demarrer;
mod duplicata;
mod etapes;
mod non_disponible;

pub use etapes::Echanges;

use crate::{
    api::{self, ClientError},
    components::{
        auth_guard::RequireAuth,
        status::{ClientErrorAlert, Loading},
    },
    pages::not_found::NotFoundPage,
};
use immat_domain::{procedures::DemarcheVue, Etape, EtatDemarche, Teleprocedure};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_params_map};

/// Ce qu'une téléprocédure apporte à l'assistant commun, qui ne la nomme
/// jamais.
#[derive(Clone, Copy)]
pub struct ProcedureUi {
    /// L'écran de l'étape « Saisie ».
    pub saisie: fn(etapes::Ctx) -> AnyView,
    /// Ce que la demande déclare, au récapitulatif.
    pub recapitulatif: fn(&DemarcheVue) -> AnyView,
    /// Ce qu'elle ajoute à l'écran « La demande est terminée ».
    pub fin: fn(&DemarcheVue) -> AnyView,
    /// Ses pièces se joignent au récapitulatif (« Transmission de la
    /// déclaration… ») plutôt qu'à la saisie.
    pub pieces_au_recapitulatif: bool,
}

/// Le registre : une ligne par téléprocédure construite.
pub fn ui(tp: Teleprocedure) -> Option<ProcedureUi> {
    match tp {
        Teleprocedure::ChangementAdresse => Some(changement_adresse::UI),
        Teleprocedure::Cession => Some(cession::UI),
        Teleprocedure::ChangementTitulaire => Some(changement_titulaire::UI),
        Teleprocedure::Duplicata => Some(duplicata::UI),
        Teleprocedure::Complementaire => Some(complementaire::UI),
    }
}

fn tp_param() -> impl Fn() -> Option<Teleprocedure> + Copy {
    let params = use_params_map();
    move || params.with(|p| p.get("procedure")).and_then(|s| Teleprocedure::depuis_slug(&s))
}

#[component]
fn Fil(tp: Teleprocedure) -> impl IntoView {
    view! {
        <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
            <ol class="fr-breadcrumb__list">
                <li><A href="/mon-espace" attr:class="fr-breadcrumb__link">"Mon Espace"</A></li>
                <li><A href="/espace-vehicule" attr:class="fr-breadcrumb__link">"Espace véhicule"</A></li>
                <li><a class="fr-breadcrumb__link" aria-current="page">{tp.libelle()}</a></li>
            </ol>
        </nav>
        <h1>{tp.libelle()}</h1>
    }
}

/// `/espace-vehicule/demarche/:procedure` : le premier écran.
#[component]
pub fn ProcedurePage() -> impl IntoView {
    let tp = tp_param();
    let titre = Signal::derive(move || tp().map(|tp| tp.libelle().to_owned()).unwrap_or_else(|| "Page non trouvée".to_owned()));
    view! {
        <crate::components::page::TitrePage titre=titre />
        <RequireAuth>
            {move || match tp() {
                None => view! { <NotFoundPage /> }.into_any(),
                Some(tp) if ui(tp).is_some() => view! { <Fil tp=tp /> <demarrer::Demarrer tp=tp /> }.into_any(),
                Some(tp) => view! { <Fil tp=tp /> <non_disponible::NonDisponible tp=tp /> }.into_any(),
            }}
        </RequireAuth>
    }
}

/// L'étape à montrer pour une démarche : celle qu'elle a atteinte, ou la fin.
pub fn etape_affichee(v: &DemarcheVue) -> Etape {
    match (v.etat, v.etape) {
        (EtatDemarche::Terminee, _) => Etape::Fin,
        (EtatDemarche::APayer | EtatDemarche::Payee, _) => Etape::Paiement,
        // « La demande est terminée » seulement quand elle l'est.
        (_, Etape::Fin) => Etape::Recapitulatif,
        (_, Etape::Demarrage) => Etape::Saisie,
        (_, e) => e,
    }
}

/// `/espace-vehicule/demarche/:procedure/:numero` : l'assistant, repris là où
/// l'usager en était (après un rechargement, une reconnexion…).
#[component]
pub fn DemarchePage() -> impl IntoView {
    let tp = tp_param();
    let params = use_params_map();
    let titre = Signal::derive(move || {
        let numero = params.with(|p| p.get("numero")).unwrap_or_default();
        match tp() {
            Some(tp) => format!("{} — demande n° {numero}", tp.libelle()),
            None => "Page non trouvée".to_owned(),
        }
    });
    view! {
        <crate::components::page::TitrePage titre=titre />
        <RequireAuth>
            {move || {
                let numero = params.with(|p| p.get("numero")).unwrap_or_default();
                match tp() {
                    Some(tp) => match ui(tp) {
                        Some(ui) => view! { <Fil tp=tp /> <Assistant tp=tp ui=ui numero=numero /> }.into_any(),
                        None => view! { <NotFoundPage /> }.into_any(),
                    },
                    _ => view! { <NotFoundPage /> }.into_any(),
                }
            }}
        </RequireAuth>
    }
}

#[component]
fn Assistant(tp: Teleprocedure, ui: ProcedureUi, numero: String) -> impl IntoView {
    let vue = RwSignal::new(None::<DemarcheVue>);
    let etape = RwSignal::new(Etape::Saisie);
    let erreur = RwSignal::new(None::<ClientError>);
    spawn_local(async move {
        match api::demarche(&numero).await {
            Ok(v) if v.teleprocedure == tp => {
                etape.set(etape_affichee(&v));
                vue.set(Some(v));
                crate::components::form_errors::focus_titre_etape();
            }
            Ok(_) => erreur.set(Some(ClientError::Api(immat_domain::api::ApiError::new(
                immat_domain::api::CodeErreur::Introuvable,
                "Cette démarche ne correspond pas à cette téléprocédure.",
            )))),
            Err(e) => erreur.set(Some(e)),
        }
    });
    let ctx = etapes::Ctx { vue, etape, tp };
    // L'écran ne se reconstruit qu'au chargement et au changement d'étape :
    // une démarche mise à jour sur place (paiement vérifié) ne recrée pas
    // l'étape (ni ne relance ce qu'elle fait en arrivant).
    let chargee = Memo::new(move |_| vue.with(Option::is_some));
    // Une demande examinée par le CERT (en attente, correction demandée,
    // refusée) a son propre écran, qui suit la démarche.
    let chez_le_cert = Memo::new(move |_| {
        vue.with(|v| {
            v.as_ref()
                .is_some_and(|v| matches!(v.etat, EtatDemarche::EnAttenteCert | EtatDemarche::CorrectionDemandee | EtatDemarche::Refusee))
        })
    });
    let abandonnee = Memo::new(move |_| vue.with(|v| v.as_ref().is_some_and(|v| v.etat == EtatDemarche::Abandonnee)));
    let ecran = move || {
        if let Some(e) = erreur.get() {
            return view! { <ClientErrorAlert error=e /> }.into_any();
        }
        if !chargee.get() {
            return view! { <Loading label="Chargement de votre demande…" /> }.into_any();
        }
        if abandonnee.get() {
            return view! {
                <div class="fr-alert fr-alert--info fr-mb-4w" role="status" data-testid="demande-abandonnee">
                    <h2 class="fr-alert__title">"Cette demande a été abandonnée."</h2>
                    <p>"Vous pouvez en commencer une nouvelle depuis « Ajouter une demande »."</p>
                </div>
                <A href="/espace-vehicule" attr:class="fr-btn fr-btn--secondary">"Retour à l'espace véhicule"</A>
            }
            .into_any();
        }
        if chez_le_cert.get() {
            return view! { <etapes::Instruction ctx=ctx /> }.into_any();
        }
        match etape.get() {
            Etape::Demarrage | Etape::Saisie => (ui.saisie)(ctx),
            Etape::Verification => view! { <etapes::Verification ctx=ctx /> }.into_any(),
            Etape::Recapitulatif => view! { <etapes::Recapitulatif ctx=ctx ui=ui /> }.into_any(),
            Etape::Paiement => view! { <etapes::Paiement ctx=ctx /> }.into_any(),
            Etape::Fin => view! { <etapes::Fin ctx=ctx ui=ui /> }.into_any(),
        }
    };
    view! {
        {ecran}
        <Abandon ctx=ctx />
    }
}

/// « Abandonner la demande », en deux temps (le bouton, puis la
/// confirmation) : un brouillon, ou une demande dont le CERT attend une
/// correction.
#[component]
fn Abandon(ctx: etapes::Ctx) -> impl IntoView {
    let possible = Memo::new(move |_| {
        ctx.vue.with(|v| v.as_ref().is_some_and(|v| matches!(v.etat, EtatDemarche::Brouillon | EtatDemarche::CorrectionDemandee)))
    });
    let confirmer = RwSignal::new(false);
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = crate::components::soumission::Soumission::new(
        |numero: String| async move { api::abandonner(&numero).await },
        move |r| match r {
            Ok(()) => {
                confirmer.set(false);
                ctx.vue.update(|v| {
                    if let Some(v) = v {
                        v.etat = EtatDemarche::Abandonnee;
                    }
                });
                crate::components::form_errors::scroll_top();
            }
            Err(e) => alerte.set(Some(e)),
        },
    );
    let pending = envoi.en_cours();
    move || {
        possible.get().then(|| view! {
            <section class="fr-mt-6w" aria-labelledby="abandon-titre" data-testid="abandon">
                <h2 class="fr-h6" id="abandon-titre">"Abandonner cette demande"</h2>
                {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
                {move || if confirmer.get() {
                    view! {
                        <p role="status">"La demande sera abandonnée : ce qui a été saisi et envoyé ne sera plus transmis. Confirmez-vous ?"</p>
                        <ul class="fr-btns-group fr-btns-group--inline-md">
                            <li><button class="fr-btn fr-btn--tertiary" type="button" disabled=move || pending.get()
                                on:click=move |_| { envoi.envoyer(ctx.numero()); }>"Confirmer l'abandon"</button></li>
                            <li><button class="fr-btn fr-btn--secondary" type="button" on:click=move |_| confirmer.set(false)>"Garder la demande"</button></li>
                        </ul>
                    }.into_any()
                } else {
                    view! {
                        <button class="fr-btn fr-btn--tertiary fr-btn--sm" type="button" on:click=move |_| confirmer.set(true)>"Abandonner la demande"</button>
                    }.into_any()
                }}
            </section>
        })
    }
}
