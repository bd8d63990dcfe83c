//! Le back office du CERT, une démarche : l'usager, le véhicule, la demande,
//! les pièces (aperçu dans la page), les actions de l'agent qui l'a prise en
//! charge (« Accepter la pièce », « Refuser la pièce jointe », « Refuser la
//! démarche ») et l'historique complet.

use crate::{
    api::{self, ApiResult, ClientError},
    components::{
        auth_guard::RequireAuth,
        form_errors::FormErrors,
        soumission::Soumission,
        status::{ClientErrorAlert, Loading},
        wizard::RadioGroup,
    },
    pages::procedures::{ui, Echanges},
};
use immat_domain::{
    pieces::{DemandeCorrection, DossierCert, MotifCorrection, PieceVue, RefusDemarche, StatutPiece},
    EtatDemarche,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_params_map};

#[component]
pub fn CertDossierPage() -> impl IntoView {
    let params = use_params_map();
    let titre = Signal::derive(move || format!("Démarche n° {} (CERT)", params.with(|p| p.get("numero")).unwrap_or_default()));
    view! {
        <crate::components::page::TitrePage titre=titre />
        <RequireAuth>
            {move || {
                let numero = params.with(|p| p.get("numero")).unwrap_or_default();
                view! { <Dossier numero=numero /> }
            }}
        </RequireAuth>
    }
}

/// Ce qu'une action rend : le dossier à jour, ou une erreur.
fn suivre(
    dossier: RwSignal<Option<DossierCert>>,
    alerte: RwSignal<Option<ClientError>>,
    errors: FormErrors,
) -> impl Fn(ApiResult<DossierCert>) {
    move |r| match r {
        Ok(d) => {
            alerte.set(None);
            errors.clear();
            dossier.set(Some(d));
        }
        Err(e) => errors.show(e, alerte),
    }
}

#[component]
fn Dossier(numero: String) -> impl IntoView {
    let dossier = RwSignal::new(None::<DossierCert>);
    let erreur = RwSignal::new(None::<ClientError>);
    let alerte = RwSignal::new(None::<ClientError>);
    let errors = FormErrors::new();
    {
        let numero = numero.clone();
        spawn_local(async move {
            match api::dossier_cert(&numero).await {
                Ok(d) => dossier.set(Some(d)),
                Err(e) => erreur.set(Some(e)),
            }
        });
    }
    let n = StoredValue::new(numero.clone());
    let prendre = Soumission::new(|numero: String| async move { api::prendre(&numero).await }, suivre(dossier, alerte, errors));
    let liberer = Soumission::new(|numero: String| async move { api::liberer(&numero).await }, suivre(dossier, alerte, errors));
    let accepter = Soumission::new(
        |(numero, id): (String, Option<i64>)| async move { api::accepter_piece(&numero, id).await },
        suivre(dossier, alerte, errors),
    );
    let occupe = move || prendre.en_cours().get() || liberer.en_cours().get() || accepter.en_cours().get();
    let chargee = Memo::new(move |_| dossier.with(Option::is_some));
    view! {
        <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
            <ol class="fr-breadcrumb__list">
                <li><A href="/mon-espace" attr:class="fr-breadcrumb__link">"Mon Espace"</A></li>
                <li><A href="/cert" attr:class="fr-breadcrumb__link">"Instruction des démarches"</A></li>
                <li><a class="fr-breadcrumb__link" aria-current="page">{format!("Démarche n° {numero}")}</a></li>
            </ol>
        </nav>
        <h1>{format!("Démarche n° {numero}")}</h1>
        {move || erreur.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {move || (!chargee.get() && erreur.with(Option::is_none)).then(|| view! { <Loading label="Chargement de la démarche…" /> })}
        {move || dossier.get().map(|d| {
            let v = d.demarche.clone();
            let tp = v.teleprocedure;
            let en_attente = v.etat == EtatDemarche::EnAttenteCert;
            let pris = d.pris_par_moi;
            view! {
                <p>
                    <span class="fr-badge fr-badge--info" data-testid="etat-dossier">{v.etat.libelle()}</span>
                    " "
                    <span data-testid="agent-dossier" role="status">{match &d.agent {
                        Some(a) if pris => format!("Prise en charge par vous ({a})."),
                        Some(a) => format!("Prise en charge par {a}."),
                        None => "Non prise en charge.".to_owned(),
                    }}</span>
                </p>
                <ul class="fr-btns-group fr-btns-group--inline-md">
                    {(en_attente && !pris).then(|| view! {
                        <li><button class="fr-btn" type="button" disabled=occupe on:click=move |_| { prendre.envoyer(n.get_value()); }>"Prendre en charge"</button></li>
                    })}
                    {pris.then(|| view! {
                        <li><button class="fr-btn fr-btn--secondary" type="button" disabled=occupe on:click=move |_| { liberer.envoyer(n.get_value()); }>"Rendre à la file"</button></li>
                    })}
                </ul>
                <div class="fr-grid-row fr-grid-row--gutters">
                    <div class="fr-col-12 fr-col-md-6">
                        <h2 class="fr-h4">"Usager"</h2>
                        <p data-testid="usager">{d.usager.nom.clone()}<br />{d.usager.email.clone()}<br />{d.usager.compte.clone()}</p>
                        <p>{format!("Initiateur de la demande : {}", v.pour_qui.libelle())}</p>
                    </div>
                    <div class="fr-col-12 fr-col-md-6">
                        <h2 class="fr-h4">"Véhicule"</h2>
                        {match v.vehicule.clone() {
                            Some(x) => view! {
                                <p data-testid="vehicule-dossier">
                                    {x.immatriculation.to_string()}<br />
                                    {format!("{} {} — VIN {}", x.marque, x.modele, x.vin)}<br />
                                    {format!("Titulaire : {}", x.titulaire.nom_complet())}<br />
                                    {x.titulaire.adresse.une_ligne()}
                                </p>
                            }.into_any(),
                            None => view! { <p data-testid="vehicule-dossier">"Aucun véhicule immatriculé en France : voir la demande."</p> }.into_any(),
                        }}
                    </div>
                </div>
                <h2 class="fr-h4">{tp.libelle()}</h2>
                {ui(tp).map(|u| (u.recapitulatif)(&v))}
                <h2 class="fr-h4">"Pièces jointes"</h2>
                {d.pieces.iter().rev().cloned().map(|p| view! {
                    <Piece piece=p actif=pris && en_attente numero=n.get_value() accepter=accepter occupe=Signal::derive(occupe) dossier=dossier alerte=alerte />
                }).collect_view()}
                {(pris && en_attente).then(|| {
                    // Plus aucune pièce à contrôler (une TPC sans pièce, ou
                    // dont chaque pièce demandée est acceptée) : la décision
                    // porte sur la demande elle-même (la règle du serveur).
                    let rien_a_controler = !d.pieces.iter().any(|p| p.statut == StatutPiece::Deposee)
                        && v.instruction.obligatoires().all(|r| r.piece.as_ref().is_some_and(|p| p.statut == StatutPiece::Acceptee));
                    view! {
                        {rien_a_controler.then(|| view! {
                            <section class="fr-mt-4w" aria-labelledby="decision-titre" data-testid="decision-demande">
                                <h2 class="fr-h4" id="decision-titre">"La demande"</h2>
                                <p>"Cette demande ne comporte plus aucune pièce à contrôler."</p>
                                <ul class="fr-btns-group fr-btns-group--inline-md">
                                    <li><button class="fr-btn" type="button" disabled=occupe
                                        on:click=move |_| { accepter.envoyer((n.get_value(), None)); }>"Accepter la demande"</button></li>
                                </ul>
                                <Correction numero=n.get_value() piece_id=None dossier=dossier alerte=alerte />
                            </section>
                        })}
                        <Refus numero=n.get_value() dossier=dossier alerte=alerte />
                    }
                })}
                <Echanges evenements=Signal::derive(move || dossier.with(|d| d.as_ref().map(|d| d.historique.clone()).unwrap_or_default())) />
            }
        })}
        <A href="/cert" attr:class="fr-btn fr-btn--secondary fr-mt-4w">"Retour à la file"</A>
    }
}

/// Une pièce : aperçu, statut, et les actions de l'agent si elle est à
/// contrôler.
#[component]
fn Piece(
    piece: PieceVue,
    actif: bool,
    numero: String,
    accepter: Soumission<(String, Option<i64>), ApiResult<DossierCert>>,
    occupe: Signal<bool>,
    dossier: RwSignal<Option<DossierCert>>,
    alerte: RwSignal<Option<ClientError>>,
) -> impl IntoView {
    let titre = format!("Aperçu : {}", piece.nom);
    let apercu = match piece.statut {
        StatutPiece::Remplacee => ().into_any(),
        _ if piece.format.est_image() => view! { <img class="immat-apercu" src=piece.url.clone() alt=titre /> }.into_any(),
        _ => view! { <iframe class="immat-apercu" src=piece.url.clone() title=titre></iframe> }.into_any(),
    };
    let a_controler = actif && piece.statut == StatutPiece::Deposee;
    let id = piece.id;
    let numero2 = numero.clone();
    view! {
        <section class="immat-vehicle-card fr-mb-3w" data-testid="piece-cert" data-statut=piece.statut.code()>
            <h3 class="fr-h6">{format!("{} — {}", piece.type_piece.libelle(), piece.nom)}</h3>
            <p class="fr-text--sm">
                {format!("{} · {} · envoyée le {} · ", piece.format.libelle(), piece.taille(), piece.deposee_le)}
                <span class="fr-badge fr-badge--sm">{piece.statut.libelle()}</span>
                " "
                <a class="fr-link fr-link--sm" href=piece.url.clone() target="_blank" rel="noopener">"Ouvrir la pièce"</a>
            </p>
            {apercu}
            {a_controler.then(|| view! {
                <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-2w">
                    <li><button class="fr-btn" type="button" disabled=move || occupe.get()
                        on:click=move |_| { accepter.envoyer((numero.clone(), Some(id))); }>"Accepter la pièce"</button></li>
                </ul>
                <Correction numero=numero2 piece_id=Some(id) dossier=dossier alerte=alerte />
            })}
        </section>
    }
}

/// « Refuser la pièce jointe » d'une pièce, ou une précision sur la
/// demande elle-même (`piece_id` vide) : le motif et le message à l'usager.
#[component]
fn Correction(
    numero: String,
    piece_id: Option<i64>,
    dossier: RwSignal<Option<DossierCert>>,
    /// L'alerte de la page (elle survit au dossier relu).
    alerte: RwSignal<Option<ClientError>>,
) -> impl IntoView {
    let motif = RwSignal::new(None::<MotifCorrection>);
    let message = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let envoi = Soumission::new(
        |(numero, req): (String, DemandeCorrection)| async move { api::demander_correction(&numero, &req).await },
        suivre(dossier, alerte, errors),
    );
    let pending = envoi.en_cours();
    let message_error = errors.of("message");
    let cle = piece_id.map_or_else(|| "demande".to_owned(), |i| i.to_string());
    let id = format!("correction-{cle}");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = DemandeCorrection { piece_id, motif: motif.get_untracked(), message: message.get_untracked() };
        if errors.retenir(req.valider()).is_some() {
            envoi.envoyer((numero.clone(), req));
        }
    };
    let (id2, id3) = (id.clone(), format!("{id}-desc-error"));
    let id4 = id3.clone();
    view! {
        <form on:submit=on_submit novalidate class="fr-mt-2w" data-testid="correction-form">
            <RadioGroup name=format!("motif-{cle}")
                legend=if piece_id.is_some() { "Motif du refus de la pièce jointe" } else { "Motif de la précision demandée" }
                value=motif error=errors.of("motif")
                options=MotifCorrection::TOUS.into_iter().map(|m| (Some(m), m.libelle().to_owned())).collect() />
            <div class=move || if message_error.with(Option::is_some) { "fr-input-group fr-input-group--error" } else { "fr-input-group" }>
                <label class="fr-label" for=id.clone()>"Message à l'usager *"</label>
                <textarea class="fr-input" id=id2 rows="3" maxlength="2000"
                    aria-invalid=move || message_error.with(Option::is_some).then_some("true")
                    aria-describedby=move || message_error.with(Option::is_some).then(|| id3.clone())
                    prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                {move || message_error.get().map(|m| view! { <p class="fr-error-text" id=id4.clone()>{m}</p> })}
            </div>
            <button class="fr-btn fr-btn--secondary" type="submit" disabled=move || pending.get()>
                {if piece_id.is_some() { "Refuser la pièce jointe" } else { "Demander une précision sur la demande" }}
            </button>
        </form>
    }
}

/// « Refuser la démarche » : un message obligatoire, puis une confirmation
/// (le refus est définitif ; une pièce illisible se traite par « Refuser la
/// pièce jointe »).
#[component]
fn Refus(numero: String, dossier: RwSignal<Option<DossierCert>>, alerte: RwSignal<Option<ClientError>>) -> impl IntoView {
    let message = RwSignal::new(String::new());
    let a_confirmer = RwSignal::new(false);
    let errors = FormErrors::new();
    let envoi = Soumission::new(
        |(numero, refus): (String, RefusDemarche)| async move { api::refuser_demarche(&numero, &refus).await },
        suivre(dossier, alerte, errors),
    );
    let pending = envoi.en_cours();
    let message_error = errors.of("message");
    let confirme_error = errors.of("confirme");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let refus = RefusDemarche { message: message.get_untracked(), confirme: false };
        // Le message d'abord ; la confirmation ensuite, à part.
        let message_seul = refus.valider().map_err(|e| e.into_iter().filter(|c| c.champ == "message").collect::<Vec<_>>());
        match message_seul {
            Err(e) if !e.is_empty() => {
                errors.retenir::<()>(Err(e));
            }
            _ => {
                errors.set_fields(&["message"], &[]);
                a_confirmer.set(true);
                crate::components::form_errors::focus_sur("#refus-confirmation");
            }
        }
    };
    let numero2 = numero.clone();
    let confirmer = move |_| {
        envoi.envoyer((numero2.clone(), RefusDemarche { message: message.get_untracked(), confirme: true }));
    };
    view! {
        <form on:submit=on_submit novalidate class="fr-mt-4w" data-testid="refus-form">
            <h2 class="fr-h4">"Refuser la démarche"</h2>
            <p class="fr-text--sm">
                "Le refus est définitif : l'usager ne pourra plus reprendre cette demande. Pour une pièce illisible ou "
                "incomplète, utilisez « Refuser la pièce jointe » : l'usager pourra la corriger."
            </p>
            <div class=move || if message_error.with(Option::is_some) { "fr-input-group fr-input-group--error" } else { "fr-input-group" }>
                <label class="fr-label" for="refus-message">"Motif du refus, adressé à l'usager *"</label>
                <textarea class="fr-input" id="refus-message" rows="3" maxlength="2000"
                    aria-invalid=move || message_error.with(Option::is_some).then_some("true")
                    aria-describedby=move || message_error.with(Option::is_some).then_some("refus-message-desc-error")
                    prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                {move || message_error.get().map(|m| view! { <p class="fr-error-text" id="refus-message-desc-error">{m}</p> })}
            </div>
            <button class="fr-btn fr-btn--tertiary" type="submit" disabled=move || pending.get() || a_confirmer.get()>"Refuser la démarche"</button>
            {move || a_confirmer.get().then(|| view! {
                <div class="fr-alert fr-alert--warning fr-mt-2w" data-testid="refus-confirmation">
                    <h3 class="fr-alert__title" id="refus-confirmation" tabindex="-1">"Confirmer le refus définitif de la démarche ?"</h3>
                    <p>"L'usager recevra votre message et la démarche s'arrêtera là."</p>
                    {move || confirme_error.get().map(|m| view! { <p class="fr-error-text" data-testid="refus-confirme-erreur">{m}</p> })}
                    <ul class="fr-btns-group fr-btns-group--inline-sm fr-mt-2w">
                        <li><button class="fr-btn" type="button" disabled=move || pending.get() on:click=confirmer.clone()>
                            "Confirmer le refus de la démarche"
                        </button></li>
                        <li><button class="fr-btn fr-btn--secondary" type="button" on:click=move |_| {
                            a_confirmer.set(false);
                            crate::components::form_errors::focus_sur("[data-testid='refus-form'] button[type='submit']");
                        }>"Annuler"</button></li>
                    </ul>
                </div>
            })}
        </form>
    }
}
