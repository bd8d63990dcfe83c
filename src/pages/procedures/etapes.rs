//! Les étapes communes aux assistants : saisie d'adresse, vérification de
//! l'adresse, récapitulatif (« + », CLU, « Valider »), fin de la demande.

use crate::{
    api::{self, ApiResult, ClientError},
    components::{
        cpi::CpiEmis,
        form_errors::{focus_titre_etape, scroll_top, FormErrors},
        piece_jointe::{EnvoiPiece, PieceEnvoyee},
        soumission::Soumission,
        status::ClientErrorAlert,
        wizard::{Detail, RadioGroup, Stepper, TitulaireActuel},
    },
};
use immat_domain::{
    adresse_postale::VerificationCommune,
    api::TitulaireVue,
    paiement::{EtatPaiement, ENREGISTRER_PAIEMENT},
    pieces::{Action, EvenementVue, PieceVue},
    procedures::{DemarcheVue, DetailsPropres, CLU},
    Etape, EtatDemarche, Teleprocedure,
};
use leptos::prelude::*;
use leptos_router::components::A;

/// L'état partagé de l'assistant.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub vue: RwSignal<Option<DemarcheVue>>,
    pub etape: RwSignal<Etape>,
    pub tp: Teleprocedure,
}

impl Ctx {
    /// Les détails propres à la téléprocédure de la démarche affichée.
    pub fn details<D: DetailsPropres + Clone>(&self) -> Option<D> {
        self.vue.with_untracked(|v| v.as_ref().and_then(|v| D::de(&v.details).cloned()))
    }
    /// Le titulaire du véhicule au démarrage de la démarche.
    pub fn titulaire(&self) -> Option<TitulaireVue> {
        self.vue.with_untracked(|v| v.as_ref().and_then(|v| v.vehicule.as_ref()).map(|x| x.titulaire.clone()))
    }
    pub fn numero(&self) -> String {
        self.vue.with_untracked(|v| v.as_ref().map(|v| v.numero.clone()).unwrap_or_default())
    }
    pub fn aller(&self, etape: Etape) {
        self.etape.set(etape);
        scroll_top();
        focus_titre_etape();
    }
    /// Après une saisie réussie : l'étape que le serveur a enregistrée.
    pub fn suivre(&self, v: DemarcheVue) {
        let etape = super::etape_affichee(&v);
        self.vue.set(Some(v));
        self.aller(etape);
    }
    /// L'envoi d'une étape, en action Leptos : la réponse fait avancer
    /// l'assistant (à l'étape que le serveur a enregistrée), ou montre les
    /// erreurs au champ ; rien de saisi n'est perdu.
    pub fn soumission<I, Fu>(
        &self,
        errors: FormErrors,
        alerte: RwSignal<Option<ClientError>>,
        appel: impl Fn(String, I) -> Fu + 'static,
    ) -> Soumission<I, ApiResult<DemarcheVue>>
    where
        I: Clone + Send + Sync + 'static,
        Fu: std::future::Future<Output = ApiResult<DemarcheVue>> + 'static,
    {
        let ctx = *self;
        Soumission::new(
            move |i| appel(ctx.numero(), i),
            move |r| match r {
                Ok(v) => ctx.suivre(v),
                Err(e) => errors.show(e, alerte),
            },
        )
    }
    /// « Poursuivre » : la saisie validée en direct par le domaine (erreurs
    /// au champ, focus sur la première), puis envoyée.
    pub fn poursuivre<I, T>(
        errors: FormErrors,
        envoi: Soumission<I, ApiResult<DemarcheVue>>,
        saisie: impl Fn() -> I + 'static,
        valider: impl Fn(&I) -> Result<T, Vec<immat_domain::api::ChampErreur>> + 'static,
    ) -> impl Fn(leptos::ev::SubmitEvent) + 'static
    where
        I: Clone + Send + Sync + 'static,
    {
        move |ev| {
            ev.prevent_default();
            let req = saisie();
            if errors.retenir(valider(&req)).is_some() {
                envoi.envoyer(req);
            }
        }
    }
    /// Le haut d'une étape de saisie : l'indicateur d'étapes, l'erreur
    /// d'envoi, l'avertissement de la situation du véhicule (un gage…) et le
    /// titulaire que le système reconnaît.
    pub fn entete(&self, alerte: RwSignal<Option<ClientError>>, titulaire: Option<TitulaireVue>, titre: &'static str) -> impl IntoView {
        let avertissement = self.vue.with_untracked(|v| v.as_ref().and_then(|v| v.avertissement.clone()));
        view! {
            {self.stepper()}
            {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
            {avertissement.map(|m| view! { <div class="fr-alert fr-alert--warning fr-mb-3w" data-testid="avertissement"><p>{m}</p></div> })}
            {titulaire.map(|t| view! { <TitulaireActuel titulaire=t titre=titre /> })}
        }
    }
    pub fn stepper(&self) -> impl IntoView {
        let (etape, tp) = (self.etape, self.tp);
        view! { <Stepper tp=tp current=Signal::derive(move || etape.get()) /> }
    }
}

/// « Le système vérifie l'existence de l'adresse et propose une correction
/// le cas échéant. »
#[component]
pub fn Verification(ctx: Ctx) -> impl IntoView {
    let vue = ctx.vue.get_untracked();
    let verification = vue.as_ref().and_then(|v| v.details.adresse().map(|a| a.verification.clone()));
    let saisie = vue.as_ref().and_then(|v| v.details.adresse_saisie().cloned());
    let choix = RwSignal::new(true);
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = ctx.soumission(errors, alerte, |numero, accepter: bool| async move { api::verification(&numero, accepter).await });
    let pending = envoi.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        envoi.envoyer(choix.get_untracked());
    };
    let contenu = match verification {
        Some(VerificationCommune::Proposition { code_postal, commune }) => {
            let saisie_txt = saisie.map(|s| format!("{} {}", s.code_postal, s.commune)).unwrap_or_default();
            view! {
                <div class="fr-alert fr-alert--warning fr-mb-3w" data-testid="proposition">
                    <h3 class="fr-alert__title">{format!("Vouliez-vous dire : {code_postal} {commune} ?")}</h3>
                    <p>{format!("La commune saisie (« {saisie_txt} ») ne correspond pas au code postal.")}</p>
                </div>
                <RadioGroup
                    name="proposition"
                    legend="Adresse à retenir"
                    options=vec![
                        (true, format!("Oui, utiliser {code_postal} {commune}")),
                        (false, "Non, conserver l'adresse saisie".to_owned()),
                    ]
                    value=choix
                    error=errors.of("accepter")
                />
            }
            .into_any()
        }
        Some(VerificationCommune::Conforme { commune }) => view! {
            <div class="fr-alert fr-alert--success fr-mb-3w" data-testid="adresse-verifiee">
                <h3 class="fr-alert__title">"L'adresse a été vérifiée"</h3>
                <p>{format!("La commune {commune} correspond au code postal saisi.")}</p>
            </div>
        }
        .into_any(),
        _ => view! { <p>"Adresse à vérifier."</p> }.into_any(),
    };
    view! {
        {ctx.stepper()}
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        <form on:submit=on_submit novalidate>
            {contenu}
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li>
                    <button type="button" class="fr-btn fr-btn--secondary" disabled=move || pending.get() on:click=move |_| ctx.aller(ctx.tp.avant(Etape::Verification))>"Étape précédente"</button>
                </li>
                <li><button class="fr-btn" type="submit" disabled=move || pending.get()>"Poursuivre"</button></li>
            </ul>
        </form>
    }
}

/// Le récapitulatif : détails « + », CLU « * », « Valider ».
#[component]
pub fn Recapitulatif(ctx: Ctx, ui: super::ProcedureUi) -> impl IntoView {
    let Some(v) = ctx.vue.get_untracked() else {
        return ().into_any();
    };
    let cochees: Vec<RwSignal<bool>> = CLU.iter().map(|_| RwSignal::new(false)).collect();
    let cochees = StoredValue::new(cochees);
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi = ctx.soumission(errors, alerte, |numero, clu: Vec<String>| async move { api::valider(&numero, clu).await });
    let pending = envoi.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let clu: Vec<String> = cochees
            .with_value(|c| CLU.iter().zip(c.iter()).filter(|(_, s)| s.get_untracked()).map(|((code, _), _)| (*code).to_owned()).collect());
        if errors.retenir(immat_domain::procedures::valider_clu(&clu).map_err(|e| vec![e])).is_some() {
            envoi.envoyer(clu);
        }
    };
    let clu_error = errors.of("clu");
    let transmission = (ui.pieces_au_recapitulatif && v.instruction.obligatoires().next().is_some()).then(|| {
        let csa = v.documents.iter().find(|d| d.url.ends_with("certificat-situation-administrative.pdf")).cloned();
        view! {
            <section class="fr-mb-4w" aria-labelledby="transmission-titre" data-testid="transmission">
                <h2 class="fr-h4" id="transmission-titre">"Transmission de la déclaration et certificat de situation administrative"</h2>
                {csa.map(|d| view! {
                    <p>
                        <a class="fr-link fr-link--download" href=d.url download="">{d.libelle}<span class="fr-link__detail">"PDF"</span></a>
                    </p>
                    <p class="fr-text--sm">"Attention : il est impératif de conserver ce certificat."</p>
                })}
                {v.instruction.obligatoires().cloned().map(|r| {
                    let champ = r.type_piece.champ();
                    let (erreur, effacer) = (errors.of(champ.clone()), errors.clear_field(champ));
                    view! { <EnvoiPiece requise=r vue=ctx.vue erreur=erreur effacer=effacer /> }
                }).collect_view()}
                <p>"« Valider » met votre demande en attente : le CERT contrôle la pièce, puis vous pourrez payer."</p>
            </section>
        }
    });
    let taxes = v.taxes;
    let declare = (ui.recapitulatif)(&v);
    view! {
        {ctx.stepper()}
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {v.avertissement.clone().map(|m| view! { <div class="fr-alert fr-alert--warning fr-mb-3w"><p>{m}</p></div> })}
        <p class="fr-text--lg">{format!("Demande n° {} — {}", v.numero, v.designation_vehicule())}</p>
        {declare}
        {transmission}
        <div class="fr-accordions-group fr-mb-4w">
            {v.vehicule.clone().map(|x| {
                // Un changement de titulaire montre le nouveau titulaire,
                // celui du certificat à émettre.
                let (nom, adresse) = v
                    .details
                    .nouveau_titulaire_au_recapitulatif()
                    .unwrap_or_else(|| (x.titulaire.nom_complet(), x.titulaire.adresse.une_ligne()));
                view! {
                    <Detail id="detail-titulaire" titre="Identité du titulaire">
                        <p data-testid="detail-titulaire">
                            {nom} <br />
                            {adresse} <br />
                            {format!("{} {} — VIN {}", x.marque, x.modele, x.vin)}
                        </p>
                    </Detail>
                }
            })}
            <Detail id="detail-taxes" titre="Taxe à régler">
                {v.taxes_incalculables.clone().map(|m| view! {
                    <div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" data-testid="taxes-incalculables"><p>{m}</p></div>
                })}
                {v.taxes_masquees.then(|| view! {
                    <p data-testid="taxes-masquees">
                        "Les taxes de cette demande dépendent du véhicule inscrit au registre : elles vous seront indiquées "
                        "après le contrôle de votre mandat par le CERT, avant le paiement."
                    </p>
                })}
                <div class="fr-table" hidden=v.taxes_masquees || v.taxes_incalculables.is_some()>
                    <table data-testid="detail-taxes">
                        <caption>"Détail des taxes"</caption>
                        <thead><tr><th scope="col">"Taxe"</th><th scope="col">"Montant"</th></tr></thead>
                        <tbody>
                            {taxes.lignes().into_iter().map(|(code, libelle, m)| view! {
                                <tr><td>{format!("{code} — {libelle}")}</td><td>{m.to_string()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {v.regle_y1.clone().map(|r| view! { <p data-testid="regle-y1">{format!("Taxe régionale (Y1) : {r}")}</p> })}
            </Detail>
        </div>
        <form on:submit=on_submit novalidate>
            <fieldset
                class=move || if clu_error.with(Option::is_some) { "fr-fieldset fr-fieldset--error" } else { "fr-fieldset" }
                aria-labelledby="clu-legend"
                aria-describedby=move || clu_error.with(Option::is_some).then_some("clu-desc-error")
            >
                <legend class="fr-fieldset__legend" id="clu-legend">
                    "Conditions légales d'utilisation (les cases marquées d'une « * » sont obligatoires)"
                </legend>
                {CLU.iter().enumerate().map(|(i, (code, texte))| {
                    let id = format!("clu-{code}");
                    let s = cochees.with_value(|c| c[i]);
                    view! {
                        <div class="fr-fieldset__element">
                            <div class="fr-checkbox-group">
                                <input type="checkbox" id=id.clone() name="clu" value=*code
                                    aria-invalid=move || clu_error.with(Option::is_some).then_some("true")
                                    prop:checked=move || s.get()
                                    on:change=move |ev| s.set(event_target_checked(&ev)) />
                                <label class="fr-label" for=id>{format!("{texte} *")}</label>
                            </div>
                        </div>
                    }
                }).collect_view()}
                {move || clu_error.get().map(|m| view! {
                    <div class="fr-messages-group"><p class="fr-message fr-message--error" id="clu-desc-error">{m}</p></div>
                })}
            </fieldset>
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><button type="button" class="fr-btn fr-btn--secondary" disabled=move || pending.get() on:click=move |_| ctx.aller(ctx.tp.avant(Etape::Recapitulatif))>"Étape précédente"</button></li>
                <li>
                    <button class="fr-btn" type="submit" disabled=move || pending.get() || v.etat != EtatDemarche::Brouillon>
                        "Valider"
                    </button>
                </li>
            </ul>
        </form>
    }
    .into_any()
}

/// La date du jour du navigateur (le serveur revalide avec la sienne).
pub fn aujourd_hui() -> time::Date {
    let d = js_sys::Date::new_0();
    time::Date::from_calendar_date(
        d.get_full_year() as i32,
        time::Month::try_from(d.get_month() as u8 + 1).unwrap_or(time::Month::January),
        d.get_date() as u8,
    )
    .unwrap_or(time::macros::date!(2026 - 01 - 01))
}

/// « Paiement en ligne » : le montant, « Payer par carte bancaire » (vers la
/// page du prestataire), et « Cliquer ici pour enregistrer votre paiement »
/// au retour. Revenir ici (retour du prestataire, rechargement, autre
/// appareil) demande au serveur où en est le paiement.
#[component]
pub fn Paiement(ctx: Ctx) -> impl IntoView {
    let Some(v) = ctx.vue.get_untracked() else {
        return ().into_any();
    };
    let alerte = RwSignal::new(None::<ClientError>);
    let info = RwSignal::new(None::<String>);
    // Aller voir : la réponse est la démarche à jour (terminée : la fin).
    let verifier = Soumission::new(
        |numero: String| async move { api::verifier_paiement(&numero).await },
        move |r| match r {
            // Encore à payer : la même page, à jour (pas de nouvel écran,
            // donc pas de nouvelle vérification automatique).
            Ok(v) if super::etape_affichee(&v) == Etape::Paiement => ctx.vue.set(Some(v)),
            Ok(v) => ctx.suivre(v),
            // L'erreur dite, l'écran repart de la démarche telle qu'elle est.
            Err(e) => {
                alerte.set(Some(e));
                let numero = ctx.numero();
                leptos::task::spawn_local(async move {
                    if let Ok(v) = api::demarche(&numero).await {
                        ctx.vue.set(Some(v));
                    }
                });
            }
        },
    );
    let payer = Soumission::new(
        |numero: String| async move { api::payer(&numero).await },
        move |r| match r {
            Ok(p) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().assign(&p.url);
                }
            }
            Err(e) if e.api().is_some_and(|a| a.code == immat_domain::api::CodeErreur::DejaPaye) => {
                info.set(Some(e.to_string()));
                let _ = verifier.envoyer(ctx.numero());
            }
            Err(e) => alerte.set(Some(e)),
        },
    );
    let retour = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("paiement").is_some());
    let en_cours = v.paiement.as_ref().is_some_and(|p| matches!(p.etat, EtatPaiement::EnCours | EtatPaiement::Paye));
    if retour || en_cours || v.etat == EtatDemarche::Payee {
        let _ = verifier.envoyer(v.numero.clone());
    }
    let occupe = move || payer.en_cours().get() || verifier.en_cours().get();
    let montant = v.taxes.y6();
    let numero = v.numero.clone();
    let numero2 = v.numero.clone();
    view! {
        {ctx.stepper()}
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {move || info.get().map(|m| view! { <div class="fr-alert fr-alert--info fr-mb-3w" role="status"><p>{m}</p></div> })}
        <p class="fr-text--lg">{format!("Demande n° {} — {}", v.numero, v.designation_vehicule())}</p>
        {move || ctx.vue.with(|v| v.as_ref().and_then(|v| v.paiement.clone())).map(|p| {
            let classe = match p.etat {
                EtatPaiement::Paye => "fr-alert fr-alert--success fr-mb-3w",
                EtatPaiement::EnCours => "fr-alert fr-alert--info fr-mb-3w",
                EtatPaiement::Refuse | EtatPaiement::Abandonne => "fr-alert fr-alert--warning fr-mb-3w",
            };
            view! { <div class=classe role="status" data-testid="etat-paiement"><p>{p.etat.message()}</p></div> }
        })}
        <div class="fr-table">
            <table data-testid="montant-a-payer">
                <caption>"Taxes à payer"</caption>
                <thead><tr><th scope="col">"Taxe"</th><th scope="col">"Montant"</th></tr></thead>
                <tbody>
                    {v.taxes.lignes().into_iter().map(|(code, libelle, m)| view! {
                        <tr><td>{format!("{code} — {libelle}")}</td><td>{m.to_string()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p>"Le paiement se fait par carte bancaire sur la page sécurisée du service de paiement. "
           "Attention : pour finaliser la procédure, il est impératif d'appuyer ensuite sur le bouton « "{ENREGISTRER_PAIEMENT}" »."</p>
        <ul class="fr-btns-group fr-btns-group--inline-md">
            {move || ctx.vue.with(|v| v.as_ref().is_some_and(|v| v.etat == EtatDemarche::APayer)).then(|| {
                let numero = numero.clone();
                view! {
                <li>
                    <button class="fr-btn" type="button" disabled=occupe on:click=move |_| { alerte.set(None); payer.envoyer(numero.clone()); }>
                        {format!("Payer {montant} par carte bancaire")}
                    </button>
                </li>
            }})}
            <li>
                <button class="fr-btn fr-btn--secondary" type="button" disabled=occupe on:click=move |_| { alerte.set(None); verifier.envoyer(numero2.clone()); }>
                    {ENREGISTRER_PAIEMENT}
                </button>
            </li>
        </ul>
    }
    .into_any()
}

/// « La demande est terminée. »
#[component]
pub fn Fin(ctx: Ctx, ui: super::ProcedureUi) -> impl IntoView {
    let Some(v) = ctx.vue.get_untracked() else {
        return ().into_any();
    };
    view! {
        <div class="fr-alert fr-alert--success fr-mb-4w" role="status" data-testid="demande-terminee">
            <h2 class="fr-alert__title">"La demande est terminée."</h2>
            <p>{format!("Demande n° {} — {}", v.numero, v.designation_vehicule())}</p>
        </div>
        {v.details.cpi().cloned().map(|cpi| view! { <CpiEmis cpi=cpi /> })}
        {(ui.fin)(&v)}
        <h3>{if v.documents.len() > 1 { "Les documents suivants sont disponibles en téléchargement :" } else { "Le document suivant est disponible en téléchargement :" }}</h3>
        <ul data-testid="documents">
            {v.documents.iter().map(|d| view! {
                <li><a class="fr-link fr-link--download" href=d.url.clone() download="">{d.libelle.clone()}<span class="fr-link__detail">"PDF"</span></a></li>
            }).collect_view()}
        </ul>
        <A href="/espace-vehicule" attr:class="fr-btn fr-btn--secondary fr-mt-4w">"Retour à l'espace véhicule"</A>
    }
    .into_any()
}

/// La demande examinée par le CERT : en attente, correction demandée (la
/// « Note du CERT », la réponse, la pièce renvoyée, « Envoyer »), refusée.
/// L'écran suit la démarche (la réponse du serveur le met à jour).
#[component]
pub fn Instruction(ctx: Ctx) -> impl IntoView {
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let reponse = RwSignal::new(String::new());
    let envoi = ctx.soumission(errors, alerte, |numero, message: String| async move { api::envoyer_reponse(&numero, message).await });
    let pending = envoi.en_cours();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let texte = reponse.get_untracked();
        // Une précision demandée sans pièce appelle une réponse écrite.
        let exige = ctx.vue.with_untracked(|v| {
            v.as_ref().and_then(|v| v.instruction.note_du_cert().map(|n| n.piece.is_none() && n.action == Action::CorrectionDemandee))
        });
        let r = immat_domain::pieces::valider_message(&texte, "message", exige.unwrap_or(false)).map_err(|e| vec![e]);
        if errors.retenir(r).is_some() {
            envoi.envoyer(texte);
        }
    };
    let message_error = errors.of("message");
    let etat = Memo::new(move |_| ctx.vue.with(|v| v.as_ref().map(|v| v.etat)));
    let instruction = move || ctx.vue.with(|v| v.as_ref().map(|v| v.instruction.clone()).unwrap_or_default());
    view! {
        {move || alerte.get().map(|e| view! { <ClientErrorAlert error=e /> })}
        {move || ctx.vue.with(|v| v.as_ref().map(|v| view! {
            <p class="fr-text--lg">{format!("Demande n° {} — {}", v.numero, v.designation_vehicule())}</p>
        }))}
        {move || match etat.get() {
            Some(EtatDemarche::EnAttenteCert) => view! {
                <div class="fr-alert fr-alert--info fr-mb-4w" role="status" data-testid="en-attente-cert">
                    <h2 class="fr-alert__title">"Votre demande est en attente de contrôle par le CERT"</h2>
                    <p>"Le CERT examine les pièces envoyées. Vous serez prévenu par e-mail ; reprenez ensuite la demande depuis votre espace véhicule."</p>
                </div>
            }.into_any(),
            Some(EtatDemarche::Refusee) => view! {
                <div class="fr-alert fr-alert--error fr-mb-4w" role="status" data-testid="demande-refusee">
                    <h2 class="fr-alert__title">"Votre demande a été refusée par le CERT"</h2>
                    <p>{ctx.vue.with_untracked(|v| v.as_ref().and_then(|v| v.instruction.note_du_cert().and_then(|n| n.message.clone())))}</p>
                </div>
            }.into_any(),
            Some(EtatDemarche::CorrectionDemandee) => {
                // Lu sans suivre : un envoi de pièce ne reconstruit pas la
                // réponse en cours de saisie.
                let i = ctx.vue.with_untracked(|v| v.as_ref().map(|v| v.instruction.clone()).unwrap_or_default());
                let note = i.note_du_cert().cloned();
                // Toutes les pièces que la demande peut recevoir (« * » :
                // obligatoires) ; une précision sans pièce appelle un message.
                let requises = i.pieces_requises.clone();
                let message_exige = note.as_ref().is_some_and(|n| n.piece.is_none());
                view! {
                    <div class="fr-callout fr-mb-4w" data-testid="note-du-cert">
                        <h2 class="fr-callout__title">"Note du CERT"</h2>
                        {note.as_ref().and_then(|n| n.motif).map(|m| view! { <p class="fr-badge fr-badge--warning fr-mb-2w">{m.libelle()}</p> })}
                        <p class="fr-callout__text">{note.as_ref().and_then(|n| n.message.clone())}</p>
                        {note.map(|n| view! { <p class="fr-text--sm">{format!("Le {}", n.le)}</p> })}
                    </div>
                    <h2 class="fr-h4">"Votre réponse"</h2>
                    {requises.into_iter().map(|r| {
                        let champ = r.type_piece.champ();
                        let (erreur, effacer) = (errors.of(champ.clone()), errors.clear_field(champ));
                        view! { <EnvoiPiece requise=r vue=ctx.vue erreur=erreur effacer=effacer /> }
                    }).collect_view()}
                    <form on:submit=on_submit novalidate data-testid="reponse-form">
                        <div class=move || if message_error.with(Option::is_some) { "fr-input-group fr-input-group--error" } else { "fr-input-group" }>
                            <label class="fr-label" for="reponse-cert">
                                {if message_exige { "Message au CERT *" } else { "Message au CERT (facultatif)" }}
                                <span class="fr-hint-text">"2 000 caractères au plus."</span>
                            </label>
                            <textarea class="fr-input" id="reponse-cert" name="message" rows="4" maxlength="2000"
                                aria-invalid=move || message_error.with(Option::is_some).then_some("true")
                                aria-describedby=move || message_error.with(Option::is_some).then_some("reponse-cert-desc-error")
                                prop:value=move || reponse.get()
                                on:input=move |ev| reponse.set(event_target_value(&ev))></textarea>
                            {move || message_error.get().map(|m| view! { <p class="fr-error-text" id="reponse-cert-desc-error">{m}</p> })}
                        </div>
                        <ul class="fr-btns-group fr-btns-group--inline-md">
                            <li><button class="fr-btn" type="submit" disabled=move || pending.get()>"Envoyer"</button></li>
                        </ul>
                    </form>
                }.into_any()
            }
            _ => ().into_any(),
        }}
        {move || {
            let i = instruction();
            let envoyees: Vec<PieceVue> = i.pieces_requises.iter().filter_map(|p| p.piece.clone()).collect();
            (etat.get() != Some(EtatDemarche::CorrectionDemandee) && !envoyees.is_empty()).then(|| view! {
                <h2 class="fr-h4">"Pièces envoyées"</h2>
                {envoyees.into_iter().map(|p| view! { <PieceEnvoyee piece=p /> }).collect_view()}
            })
        }}
        {move || ctx.vue.with(|v| v.as_ref().map(|v| v.documents.clone())).filter(|d| !d.is_empty()).map(|docs| view! {
            <h2 class="fr-h4">"Documents"</h2>
            <ul>
                {docs.into_iter().map(|d| view! {
                    <li><a class="fr-link fr-link--download" href=d.url download="">{d.libelle}<span class="fr-link__detail">"PDF"</span></a></li>
                }).collect_view()}
            </ul>
        })}
        <Echanges evenements=Signal::derive(move || instruction().echanges) />
        <A href="/espace-vehicule" attr:class="fr-btn fr-btn--secondary fr-mt-4w">"Retour à l'espace véhicule"</A>
    }
}

/// Les échanges avec le CERT, les plus anciens d'abord.
#[component]
pub fn Echanges(#[prop(into)] evenements: Signal<Vec<EvenementVue>>) -> impl IntoView {
    view! {
        {move || {
            let ev = evenements.get();
            (!ev.is_empty()).then(|| view! {
                <div class="fr-table fr-mt-4w">
                    <table data-testid="echanges">
                        <caption>"Échanges avec le CERT"</caption>
                        <thead><tr><th scope="col">"Date"</th><th scope="col">"De"</th><th scope="col">"Étape"</th><th scope="col">"Message"</th></tr></thead>
                        <tbody>
                            {ev.into_iter().map(|e| view! {
                                <tr>
                                    <td>{e.le.clone()}</td>
                                    <td>{match &e.agent { Some(a) => format!("{} ({a})", e.auteur.libelle()), None => e.auteur.libelle().to_owned() }}</td>
                                    <td>{e.action.libelle()}{e.piece.clone().map(|p| format!(" : {p}"))}{e.motif.map(|m| format!(" — {}", m.libelle()))}</td>
                                    <td>{e.message.clone().unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })
        }}
    }
}
