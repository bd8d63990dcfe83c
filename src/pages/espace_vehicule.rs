//! L'espace véhicule : « Les démarches en cours sont présentées sous forme
//! d'une liste » ; « Ajouter une demande » depuis le menu déroulant.

use crate::{
    api::{self, ClientError},
    components::{
        auth_guard::RequireAuth,
        field::TextField,
        form_errors::FormErrors,
        soumission::Soumission,
        status::{ClientErrorAlert, Loading},
    },
};
use immat_domain::{
    api::{DemarcheResume, VehiculeVue},
    rattachement::{AjoutVehicule, MESSAGE_CORRESPONDANCE_PARTIELLE},
    regles::{Gravite, SituationAdministrative, SITUATION_SAINE},
    EtatDemarche, Teleprocedure,
};
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};

#[component]
pub fn EspaceVehiculePage() -> impl IntoView {
    view! {
        <crate::components::page::TitrePage titre="L'espace véhicule".to_owned() />
        <RequireAuth>
            <EspaceVehicule />
        </RequireAuth>
    }
}

#[component]
fn EspaceVehicule() -> impl IntoView {
    let espace = LocalResource::new(api::espace);
    let partiel = use_query_map().with_untracked(|q| q.get("vehicules").as_deref() == Some("partiel"));
    view! {
        <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
            <ol class="fr-breadcrumb__list">
                <li><A href="/mon-espace" attr:class="fr-breadcrumb__link">"Mon Espace"</A></li>
                <li><a class="fr-breadcrumb__link" aria-current="page">"Espace véhicule"</a></li>
            </ol>
        </nav>
        <h1>"L'espace véhicule"</h1>
        {partiel.then(|| view! {
            <div class="fr-alert fr-alert--warning fr-mb-3w" role="status" data-testid="correspondance-partielle">
                <h2 class="fr-alert__title">"Un véhicule n'a pas été ajouté"</h2>
                <p>{MESSAGE_CORRESPONDANCE_PARTIELLE}</p>
            </div>
        })}
        <AjouterUneDemande />
        {move || match espace.get() {
            None => view! { <Loading label="Chargement de vos véhicules…" /> }.into_any(),
            Some(Err(e)) => view! { <ClientErrorAlert error=e /> }.into_any(),
            Some(Ok(espace)) => {
                let aucun = espace.vehicules.is_empty() && espace.autres_demarches.is_empty();
                let panier: Vec<DemarcheResume> = espace
                    .vehicules
                    .iter()
                    .flat_map(|v| v.demarches.iter().cloned().map(|d| DemarcheResume { immatriculation: Some(v.immatriculation.clone()), ..d }))
                    .chain(espace.autres_demarches.iter().cloned())
                    .collect();
                view! {
                    <Panier demarches=panier />
                    <h2 class="fr-mt-4w">"Mes véhicules"</h2>
                    {aucun.then(|| view! {
                        <p data-testid="empty-state">
                            "Aucun véhicule n'est rattaché à votre compte et vous n'avez aucune démarche en cours. "
                            "Ajoutez votre véhicule avec son code confidentiel (« Ajouter un véhicule »), ou utilisez "
                            "« Ajouter une demande » pour commencer."
                        </p>
                    })}
                    <ul class="fr-raw-list" data-testid="vehicle-list">
                        {espace.vehicules.into_iter().map(|v| view! { <li><VehiculeCard v=v /></li> }).collect_view()}
                    </ul>
                    {(!espace.autres_demarches.is_empty()).then(|| view! {
                        <h2>"Autres démarches en cours"</h2>
                        <DemarchesList demarches=espace.autres_demarches.clone() />
                    })}
                    {(!espace.demarches_terminees.is_empty()).then(|| view! {
                        <h2>"Mes démarches terminées"</h2>
                        <ul data-testid="demarches-terminees">
                            {espace.demarches_terminees.iter().map(|d| {
                                let href = format!("/espace-vehicule/demarche/{}/{}", d.teleprocedure.slug(), d.numero);
                                let immat = d.immatriculation.as_ref().map(|i| format!(" — {i}")).unwrap_or_default();
                                view! {
                                    <li>
                                        {format!("{} n° {}{} — {}", d.teleprocedure.libelle(), d.numero, immat, d.etat.libelle())} " "
                                        <A href=href>"Voir la demande et ses documents"</A>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                }
                .into_any()
            }
        }}
        <AjouterUnVehicule on_ajoute=Callback::new(move |()| espace.refetch()) />
    }
}

/// Le panier du support : toutes les démarches en cours, d'où l'usager
/// reprend une demande examinée par le CERT (« Accès au panier / Reprendre
/// la demande en cours »).
#[component]
fn Panier(demarches: Vec<DemarcheResume>) -> impl IntoView {
    let vide = demarches.is_empty();
    // « Accès au panier » (`#panier`) : une fois le panier rendu, la page y
    // va et le focus sur son titre (après celui du titre de la page).
    if web_sys::window().and_then(|w| w.location().hash().ok()).as_deref() == Some("#panier") {
        crate::components::form_errors::focus_sur("#panier-titre");
    }
    view! {
        <section id="panier" class="fr-mt-4w" aria-labelledby="panier-titre" data-testid="panier">
            <h2 id="panier-titre" tabindex="-1">"Mon panier"</h2>
            {if vide {
                view! { <p class="fr-text--sm">"Votre panier est vide : aucune démarche en cours."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {demarches.into_iter().map(|d| {
                            let href = format!("/espace-vehicule/demarche/{}/{}", d.teleprocedure.slug(), d.numero);
                            let immat = d.immatriculation.as_ref().map(|i| format!(" — {i}")).unwrap_or_default();
                            let lien = if d.etat.reprenable() { "Reprendre la demande en cours" } else { "Voir la demande" };
                            view! {
                                <li data-testid="panier-ligne">
                                    {format!("{} n° {}{} — {} ", d.teleprocedure.libelle(), d.numero, immat, d.etat.libelle())}
                                    <A href=href>{lien}</A>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// « Ajouter un véhicule » : le numéro d'immatriculation et le code
/// confidentiel du certificat. Un code juste ajoute le véhicule à « Mes
/// véhicules » ; les erreurs s'affichent au champ, la saisie reste.
#[component]
fn AjouterUnVehicule(on_ajoute: Callback<()>) -> impl IntoView {
    let immatriculation = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let succes = RwSignal::new(None::<String>);
    let requete = move || AjoutVehicule { immatriculation: immatriculation.get_untracked(), code_confidentiel: code.get_untracked() };
    let ajout = Soumission::new(
        |req: AjoutVehicule| async move { api::ajouter_vehicule(&req).await },
        move |r| match r {
            Ok(r) => {
                immatriculation.set(String::new());
                code.set(String::new());
                succes.set(Some(r.message));
                on_ajoute.run(());
            }
            Err(e) => errors.show(e, alerte),
        },
    );
    let pending = ajout.en_cours();
    let valider_immat = Callback::new(move |()| {
        let errs = requete().valider().err().unwrap_or_default();
        errors.set_fields(&["immatriculation"], &errs);
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        alerte.set(None);
        succes.set(None);
        let req = requete();
        if errors.retenir(req.valider()).is_some() {
            ajout.envoyer(req);
        }
    };
    view! {
        <section class="fr-mt-4w" aria-labelledby="ajout-vehicule-titre" data-testid="ajout-vehicule">
            <h2 id="ajout-vehicule-titre">"Ajouter un véhicule"</h2>
            <p class="fr-text--sm">
                "Votre véhicule n'est pas dans la liste ? Son numéro d'immatriculation et le code confidentiel reçu avec "
                "son certificat prouvent que vous en êtes le titulaire : il rejoint « Mes véhicules »."
            </p>
            {move || succes.get().map(|m| view! {
                <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-2w" role="status" data-testid="vehicule-ajoute">
                    <p>{m}</p>
                </div>
            })}
            {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
            <form on:submit=on_submit novalidate data-testid="ajout-vehicule-form">
                <TextField id="ajout-immatriculation" label="Numéro d'immatriculation"
                    hint="Format AB-123-CD, ou 123 ABC 75 pour un ancien numéro"
                    value=immatriculation error=errors.of("immatriculation") on_input=errors.clear_field("immatriculation")
                    autocomplete="off" required=true on_blur=valider_immat />
                <TextField id="ajout-code" label="Code confidentiel"
                    hint="8 caractères, reçus avec votre certificat d'immatriculation (par exemple AB2C-D3EF)"
                    value=code error=errors.of("code_confidentiel") on_input=errors.clear_field("code_confidentiel")
                    autocomplete="off" required=true />
                <button class="fr-btn fr-btn--secondary" type="submit" disabled=move || pending.get()>"Ajouter le véhicule"</button>
            </form>
        </section>
    }
}

/// Le menu déroulant « Démarrer une nouvelle demande » et le bouton
/// « Ajouter une demande ».
#[component]
fn AjouterUneDemande() -> impl IntoView {
    let choix = RwSignal::new(String::new());
    let erreur = RwSignal::new(None::<&'static str>);
    let navigate = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Teleprocedure::depuis_slug(&choix.get_untracked()) {
            Some(tp) => {
                erreur.set(None);
                navigate(&format!("/espace-vehicule/demarche/{}", tp.slug()), Default::default());
            }
            None => erreur.set(Some("Veuillez choisir une demande dans la liste.")),
        }
    };
    view! {
        <form class="immat-add-request" on:submit=on_submit data-testid="add-request">
            <div class=move || if erreur.get().is_some() { "fr-select-group fr-select-group--error" } else { "fr-select-group" }>
                <label class="fr-label" for="nouvelle-demande">"Démarrer une nouvelle demande"</label>
                <select
                    class="fr-select"
                    id="nouvelle-demande"
                    name="nouvelle-demande"
                    aria-describedby=move || erreur.get().map(|_| "nouvelle-demande-desc-error")
                    aria-invalid=move || erreur.get().map(|_| "true")
                    on:change=move |ev| choix.set(event_target_value(&ev))
                    prop:value=move || choix.get()
                >
                    <option value="" disabled selected hidden>"Sélectionner une demande"</option>
                    {Teleprocedure::TOUTES
                        .into_iter()
                        .map(|tp| view! { <option value=tp.slug()>{tp.libelle_menu()}</option> })
                        .collect_view()}
                </select>
                {move || erreur.get().map(|m| view! { <p id="nouvelle-demande-desc-error" class="fr-error-text">{m}</p> })}
            </div>
            <button class="fr-btn" type="submit">"Ajouter une demande"</button>
        </form>
    }
}

fn situation_badges(s: &SituationAdministrative) -> impl IntoView {
    let mut badges: Vec<(&'static str, &'static str)> = Vec::new();
    for m in s.mentions() {
        let classe = match m.gravite() {
            Gravite::Bloquante => "fr-badge--error",
            Gravite::Avertissement => "fr-badge--warning",
            Gravite::Information => "fr-badge--info",
        };
        if !badges.iter().any(|(_, l)| *l == m.badge()) {
            badges.push((classe, m.badge()));
        }
    }
    if badges.is_empty() {
        badges.push(("fr-badge--success", SITUATION_SAINE));
    }
    view! {
        <ul class="fr-badges-group">
            {badges.into_iter().map(|(c, l)| view! { <li><p class=format!("fr-badge fr-badge--sm {c}")>{l}</p></li> }).collect_view()}
        </ul>
    }
}

#[component]
fn VehiculeCard(v: VehiculeVue) -> impl IntoView {
    let titulaire = v.titulaire.nom_complet();
    let immat = v.immatriculation.to_string();
    let adresse = v.titulaire.adresse.une_ligne();
    view! {
        <article class="immat-vehicle-card" data-testid="vehicle-card" data-immatriculation=immat.clone()>
            <h3 class="fr-h5 fr-mb-1w">
                <span data-testid="vehicle-plate">{immat.clone()}</span>
                " — " {v.marque.clone()} " " {v.modele.clone()}
            </h3>
            {situation_badges(&v.situation)}
            <dl class="fr-mt-2w">
                <dt class="fr-text--bold">"Titulaire"</dt>
                <dd>{titulaire}</dd>
                <dt class="fr-text--bold">"Adresse"</dt>
                <dd>{adresse}</dd>
                <dt class="fr-text--bold">"Changements d'adresse sur ce certificat"</dt>
                <dd data-testid="changements-adresse">
                    {format!(
                        "{} sur {} (étiquettes ; au-delà, un nouveau certificat est émis)",
                        v.changements_adresse,
                        immat_domain::taxes::ETIQUETTES_PAR_CERTIFICAT
                    )}
                </dd>
                <dt class="fr-text--bold">"Numéro d'immatriculation"</dt>
                <dd>{v.immatriculation.kind().libelle()}</dd>
                <dt class="fr-text--bold">"Genre, énergie, puissance"</dt>
                <dd>{format!("{} · {} · {} CV", v.genre.libelle(), v.energie.libelle(), v.puissance_cv)}</dd>
            </dl>
            <ul class="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
                {Teleprocedure::TOUTES
                    .into_iter()
                    .filter(|tp| crate::pages::procedures::ui(*tp).is_some())
                    .filter_map(|tp| tp.raccourci().map(|libelle| (tp, libelle)))
                    .map(|(tp, libelle)| view! {
                        <li>
                            <A href=format!("/espace-vehicule/demarche/{}?immatriculation={}", tp.slug(), v.immatriculation) attr:class="fr-btn fr-btn--secondary fr-btn--sm">
                                {libelle}
                            </A>
                        </li>
                    })
                    .collect_view()}
            </ul>
            <h4 class="fr-h6 fr-mt-2w">"Démarches en cours"</h4>
            {if v.demarches.is_empty() {
                view! { <p class="fr-text--sm">"Aucune démarche en cours pour ce véhicule."</p> }.into_any()
            } else {
                view! { <DemarchesList demarches=v.demarches.clone() /> }.into_any()
            }}
        </article>
    }
}

#[component]
fn DemarchesList(demarches: Vec<DemarcheResume>) -> impl IntoView {
    view! {
        <ul data-testid="demarche-list">
            {demarches
                .into_iter()
                .map(|d| {
                    let href = format!("/espace-vehicule/demarche/{}/{}", d.teleprocedure.slug(), d.numero);
                    let (badge, consigne) = match d.etat {
                        EtatDemarche::CorrectionDemandee => ("fr-badge fr-badge--warning fr-badge--sm", Some("Le CERT demande une correction : lisez sa note.")),
                        EtatDemarche::EnAttenteCert => ("fr-badge fr-badge--info fr-badge--sm", None),
                        EtatDemarche::APayer | EtatDemarche::Payee if d.controlee_par_le_cert => {
                            ("fr-badge fr-badge--new fr-badge--sm", Some("Acceptée par le CERT : il reste à payer les taxes."))
                        }
                        EtatDemarche::APayer | EtatDemarche::Payee => ("fr-badge fr-badge--new fr-badge--sm", Some("Il reste à payer les taxes.")),
                        _ => ("fr-badge fr-badge--sm", None),
                    };
                    let lien = if d.etat.reprenable() { "Reprendre la demande en cours" } else { "Voir la demande" };
                    view! {
                        <li data-testid="ligne-panier" data-etat=d.etat.code()>
                            {format!("{} n° {} ", d.teleprocedure.libelle(), d.numero)}
                            <span class=badge>{d.etat.libelle()}</span>
                            {consigne.map(|c| view! { " " <span class="fr-text--sm">{c}</span> })}
                            " " <A href=href>{lien}</A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
