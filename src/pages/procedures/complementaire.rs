//! « TÉLÉPROCÉDURE COMPLÉMENTAIRE » : le motif choisi au démarrage, puis
//! les parties 1 (l'objet de la demande), 2 (l'identité du titulaire) et 3
//! (les pièces jointes que le système propose pour la sous-catégorie) ;
//! « Démarrer la procédure » quand chaque pièce obligatoire est jointe.

use super::etapes::{aujourd_hui, Ctx};
use crate::{
    api::{self, ClientError},
    components::{
        adresse::{lignes, AdresseFields, AdresseSignals},
        field::TextField,
        form_errors::{focus_first_error, FormErrors},
        personne::{identite, PersonneFields, PersonneSignals},
        piece_jointe::EnvoiPiece,
    },
};
use immat_domain::{
    changement_titulaire::TitulaireSaisie,
    pieces::{exiger_pieces, PieceRequiseVue, TypePiece},
    procedures::{DemarcheVue, DetailsPropres},
    taxes::{Energie, Genre},
    tpc::{
        demande_une_operation, pieces_requises, ptac_demande, DetailsComplementaire, OperationCirculation, TaxesTpc, TpcSaisie,
        VehiculeSaisie, OBJET_MAX,
    },
    PourQui, Teleprocedure,
};
use leptos::prelude::*;

/// La TPC dans l'assistant commun.
pub const UI: super::ProcedureUi =
    super::ProcedureUi { saisie: |ctx| view! { <SaisieTpc ctx=ctx /> }.into_any(), recapitulatif, fin, pieces_au_recapitulatif: false };

fn details(v: &DemarcheVue) -> DetailsComplementaire {
    DetailsComplementaire::de(&v.details).cloned().unwrap_or_default()
}

fn recapitulatif(v: &DemarcheVue) -> AnyView {
    let det = details(v);
    let demande = det.demande.clone();
    let premiere = det.sous_categorie().map(immat_domain::tpc::taxes_tpc) == Some(TaxesTpc::PremiereImmatriculation);
    let obligatoires: Vec<PieceRequiseVue> = v.instruction.obligatoires().cloned().collect();
    view! {
        <div data-testid="recap-tpc">
            <p>{format!("Motif : {}", det.motif.libelle())}</p>
            {det.immatriculation.map(|i| view! { <p>{format!("Véhicule concerné : {i}")}</p> })}
            {demande.map(|d| view! {
                <h3>"1. L'objet de la demande"</h3>
                <p class="immat-texte-libre">{d.objet.clone()}</p>
                {d.vehicule_diplomatique.then(|| view! { <p>"La demande concerne un véhicule diplomatique."</p> })}
                {d.acquis_a_l_etranger.then(|| view! { <p>"Véhicule acquis à l'étranger."</p> })}
                {d.vehicule.clone().map(|x| view! {
                    <h3>"Le véhicule à immatriculer"</h3>
                    <p>
                        {format!("{} {} — VIN {}", x.marque, x.modele, x.vin)}<br />
                        {format!("{} · {} · {} CV", x.genre.libelle(), x.energie.libelle(), x.puissance_cv)}
                        {x.date_premiere_immatriculation.map(|p| view! { <br />{format!("Première immatriculation à l'étranger : {p}")} })}
                    </p>
                })}
                <h3>"2. L'identité du titulaire"</h3>
                <p>{identite(d.titulaire.titulaire.libelle(), d.titulaire.titulaire.naissance())}<br />{lignes(&d.titulaire.adresse)}</p>
            })}
            <h3>"3. Les pièces jointes"</h3>
            {if obligatoires.is_empty() {
                view! { <p>"Aucune pièce justificative n'est demandée pour cette demande."</p> }.into_any()
            } else {
                view! {
                    <ul data-testid="recap-pieces">
                        {obligatoires.into_iter().map(|p| view! {
                            <li>{format!("{} : {}", p.libelle, p.piece.map(|x| format!("{} ({})", x.nom, x.statut.libelle())).unwrap_or_else(|| "non jointe".into()))}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {premiere.then(|| view! {
                <p class="fr-text--sm">"Le malus (Y3) n'est pas calculé par ce service : le CERT le fixe s'il est dû."</p>
            })}
            <p>"« Valider » transmet votre demande au CERT, qui l'examine avec ses pièces. Vous serez prévenu par e-mail ; s'il y a des taxes, vous les paierez après son acceptation."</p>
        </div>
    }
    .into_any()
}

fn fin(_: &DemarcheVue) -> AnyView {
    view! {
        <p data-testid="fin-tpc">
            "Le CERT a accepté votre demande et procède à l'opération demandée. "
            "Si un nouveau certificat d'immatriculation est émis, il vous est adressé par courrier."
        </p>
    }
    .into_any()
}

/// Une liste déroulante d'un choix d'énumération (genre, énergie).
#[component]
fn ListeChoix<T: Copy + PartialEq + Send + Sync + 'static>(
    id: &'static str,
    label: &'static str,
    value: RwSignal<Option<T>>,
    options: Vec<(T, &'static str)>,
    error: Signal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let options = StoredValue::new(options);
    let error_id = format!("{id}-desc-error");
    let error_id2 = error_id.clone();
    view! {
        <div class=move || if error.with(Option::is_some) { "fr-select-group fr-select-group--error" } else { "fr-select-group" }>
            <label class="fr-label" for=id>{label}<span class="fr-sr-only">" (obligatoire)"</span></label>
            <select class="fr-select" id=id name=id
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=move || error.with(Option::is_some).then(|| error_id.clone())
                prop:value=move || options.with_value(|o| o.iter().position(|(t, _)| Some(*t) == value.get()).map(|i| i.to_string()).unwrap_or_default())
                on:change=move |ev| {
                    let i: Option<usize> = event_target_value(&ev).parse().ok();
                    value.set(i.and_then(|i| options.with_value(|o| o.get(i).map(|(t, _)| *t))));
                    on_change.run(());
                }>
                <option value="" disabled>"Sélectionner"</option>
                {options.with_value(|o| o.iter().enumerate().map(|(i, (_, l))| view! { <option value=i.to_string()>{*l}</option> }).collect_view())}
            </select>
            {move || error.get().map(|m| view! { <p class="fr-error-text" id=error_id2.clone()>{m}</p> })}
        </div>
    }
}

#[component]
pub fn SaisieTpc(ctx: Ctx) -> impl IntoView {
    let det = ctx.details::<DetailsComplementaire>().unwrap_or_default();
    let pour_qui = ctx.vue.with_untracked(|v| v.as_ref().map(|v| v.pour_qui)).unwrap_or_default();
    let Some(sc) = det.sous_categorie() else {
        return view! { <p>"Le motif de cette demande est illisible : recommencez depuis « Ajouter une demande »."</p> }.into_any();
    };
    let premiere = matches!(sc.code, "vehicule_neuf" | "vehicule_etranger");
    let importe = sc.code == "vehicule_etranger";
    let neuf = sc.code == "vehicule_neuf";
    let s = det.saisie.clone().unwrap_or_default();
    let objet = RwSignal::new(s.objet.clone());
    let diplomatique = RwSignal::new(s.vehicule_diplomatique);
    let acquis_etranger = RwSignal::new(s.acquis_a_l_etranger);
    let circulation = demande_une_operation(sc);
    let operation = RwSignal::new(s.operation_circulation);
    let t = &s.titulaire;
    let personne = PersonneSignals::new(t.type_personne, &t.nom, &t.prenoms, &t.date_naissance, &t.raison_sociale, &t.siren);
    let a = AdresseSignals::new(Some(t.adresse.clone()).filter(|a| !a.voie.is_empty() || !a.code_postal.is_empty()));
    let vs = &s.vehicule;
    let vin = RwSignal::new(vs.vin.clone());
    let marque = RwSignal::new(vs.marque.clone());
    let modele = RwSignal::new(vs.modele.clone());
    let genre = RwSignal::new(vs.genre);
    let energie = RwSignal::new(vs.energie);
    let puissance = RwSignal::new(vs.puissance_cv.clone());
    let premiere_immat = RwSignal::new(vs.date_premiere_immatriculation.clone());
    let ptac = RwSignal::new(vs.ptac_kg.clone());
    let errors = FormErrors::new();
    let alerte = RwSignal::new(None::<ClientError>);
    let envoi =
        ctx.soumission(
            errors,
            alerte,
            |numero, req: TpcSaisie| async move { api::saisir(Teleprocedure::Complementaire, &numero, &req).await },
        );
    let pending = envoi.en_cours();
    let saisie = move || {
        let (type_personne, nom, prenoms, date_naissance, raison_sociale, siren) = personne.valeurs();
        TpcSaisie {
            objet: objet.get_untracked(),
            vehicule_diplomatique: diplomatique.get_untracked(),
            acquis_a_l_etranger: acquis_etranger.get_untracked(),
            operation_circulation: operation.get_untracked(),
            titulaire: TitulaireSaisie {
                type_personne,
                nom,
                prenoms,
                date_naissance,
                raison_sociale,
                siren,
                adresse: a.saisie(),
                ..Default::default()
            },
            vehicule: VehiculeSaisie {
                vin: vin.get_untracked(),
                marque: marque.get_untracked(),
                modele: modele.get_untracked(),
                genre: genre.get_untracked(),
                energie: energie.get_untracked(),
                puissance_cv: puissance.get_untracked(),
                date_premiere_immatriculation: premiere_immat.get_untracked(),
                ptac_kg: ptac.get_untracked(),
            },
        }
    };
    // Partie 3, en direct : les pièces que le système propose pour ces
    // circonstances (le domaine), avec la version envoyée (la démarche).
    let circonstances = move || immat_domain::tpc::Circonstances {
        pour: pour_qui,
        acquis_a_l_etranger: neuf && acquis_etranger.get(),
        vehicule_diplomatique: diplomatique.get(),
        operation_circulation: operation.get(),
    };
    let a_joindre = Memo::new(move |_| {
        pieces_requises(sc, circonstances())
            .into_iter()
            // La version envoyée, le champ la lit dans la démarche : un envoi
            // ne reconstruit pas la liste (le focus reste sur le champ).
            .map(|p| PieceRequiseVue {
                type_piece: TypePiece::de_la_tpc(&p),
                libelle: p.libelle.to_owned(),
                obligatoire: true,
                piece: None,
            })
            .collect::<Vec<_>>()
    });
    let envoyee = move |t: TypePiece| {
        ctx.vue.with_untracked(|v| {
            v.as_ref().and_then(|v| v.instruction.pieces_requises.iter().find(|r| r.type_piece == t).and_then(|r| r.piece.clone()))
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        alerte.set(None);
        let req = saisie();
        let mut erreurs = req.valider(sc, aujourd_hui()).err().unwrap_or_default();
        let requises: Vec<TypePiece> = a_joindre.get_untracked().iter().map(|p| p.type_piece).collect();
        if let Err(e) = exiger_pieces(&requises, |t| envoyee(t).map(|x| x.statut)) {
            erreurs.extend(e);
        }
        if erreurs.is_empty() {
            envoi.envoyer(req);
        } else {
            errors.set(erreurs);
            focus_first_error();
        }
    };
    let objet_error = errors.of("objet");
    let pour_autrui = pour_qui == PourQui::Autrui;
    view! {
        {ctx.entete(alerte, None, "")}
        <div class="fr-callout fr-mb-4w" data-testid="motif-tpc">
            <p class="fr-callout__text">{det.motif.libelle()}</p>
            {det.immatriculation.map(|i| view! { <p>{format!("Véhicule concerné : {i}")}</p> })}
            <p class="fr-text--sm">{format!("Initiateur de la demande : {}", pour_qui.libelle())}</p>
        </div>
        <form on:submit=on_submit novalidate data-testid="tpc-form">
            <fieldset class="fr-fieldset" aria-labelledby="partie-1">
                <legend class="fr-fieldset__legend" id="partie-1">"1. L'objet de la demande"</legend>
                <div class="fr-fieldset__element">
                    <div class=move || if objet_error.with(Option::is_some) { "fr-input-group fr-input-group--error" } else { "fr-input-group" }>
                        <label class="fr-label" for="objet">
                            "Objet de la demande"<span class="fr-sr-only">" (obligatoire)"</span>
                            <span class="fr-hint-text">{format!("Décrivez ce que vous demandez au CERT ({OBJET_MAX} caractères au plus).")}</span>
                        </label>
                        <textarea class="fr-input" id="objet" name="objet" rows="4" maxlength=OBJET_MAX.to_string()
                            aria-invalid=move || objet_error.with(Option::is_some).then_some("true")
                            aria-describedby=move || objet_error.with(Option::is_some).then_some("objet-desc-error")
                            prop:value=move || objet.get()
                            on:input=move |ev| { objet.set(event_target_value(&ev)); errors.clear_field("objet").run(()); }></textarea>
                        {move || objet_error.get().map(|m| view! { <p class="fr-error-text" id="objet-desc-error">{m}</p> })}
                    </div>
                </div>
                <div class="fr-fieldset__element">
                    <div class="fr-checkbox-group">
                        <input type="checkbox" id="vehicule-diplomatique" prop:checked=move || diplomatique.get()
                            on:change=move |ev| diplomatique.set(event_target_checked(&ev)) />
                        <label class="fr-label" for="vehicule-diplomatique">
                            "La demande concerne un véhicule diplomatique"
                            <span class="fr-hint-text">"Aucune pièce justificative de la demande n'est alors demandée (pour autrui, le mandat reste demandé)."</span>
                        </label>
                    </div>
                </div>
                {neuf.then(|| view! {
                    <div class="fr-fieldset__element">
                        <div class="fr-checkbox-group">
                            <input type="checkbox" id="acquis-etranger" prop:checked=move || acquis_etranger.get()
                                on:change=move |ev| acquis_etranger.set(event_target_checked(&ev)) />
                            <label class="fr-label" for="acquis-etranger">"Véhicule acquis à l'étranger"</label>
                        </div>
                    </div>
                })}
            </fieldset>
            // Le cerfa demandé est celui de l'opération choisie.
            {circulation.then(|| view! {
                <crate::components::wizard::RadioGroup name="operation_circulation" legend="L'opération demandée"
                    value=operation error=errors.of("operation_circulation")
                    options=OperationCirculation::TOUTES.into_iter().map(|o| (Some(o), o.libelle().to_owned())).collect() />
            })}
            {premiere.then(|| view! {
                <fieldset class="fr-fieldset" aria-labelledby="vehicule-legend">
                    <legend class="fr-fieldset__legend" id="vehicule-legend">"Le véhicule à immatriculer"</legend>
                    <div class="fr-fieldset__element">
                        <TextField id="vehicule-vin" label="Numéro d'identification (VIN)" hint="17 caractères, sans I, O ni Q (rubrique E)"
                            value=vin error=errors.of("vehicule.vin") on_input=errors.clear_field("vehicule.vin") autocomplete="off" required=true />
                    </div>
                    <div class="fr-fieldset__element">
                        <TextField id="vehicule-marque" label="Marque" value=marque error=errors.of("vehicule.marque")
                            on_input=errors.clear_field("vehicule.marque") required=true />
                    </div>
                    <div class="fr-fieldset__element">
                        <TextField id="vehicule-modele" label="Dénomination commerciale" value=modele error=errors.of("vehicule.modele")
                            on_input=errors.clear_field("vehicule.modele") required=true />
                    </div>
                    <div class="fr-fieldset__element">
                        <ListeChoix id="vehicule-genre" label="Genre du véhicule" value=genre error=errors.of("vehicule.genre")
                            on_change=errors.clear_field("vehicule.genre")
                            options=Genre::TOUS.into_iter().map(|g| (g, g.libelle())).collect() />
                    </div>
                    <div class="fr-fieldset__element">
                        <ListeChoix id="vehicule-energie" label="Énergie" value=energie error=errors.of("vehicule.energie")
                            on_change=errors.clear_field("vehicule.energie")
                            options=Energie::TOUS.into_iter().map(|e| (e, e.libelle())).collect() />
                    </div>
                    <div class="fr-fieldset__element">
                        <TextField id="vehicule-puissance" label="Puissance fiscale (CV)" hint="Rubrique P.6 ; un nombre entier"
                            value=puissance error=errors.of("vehicule.puissance_cv") on_input=errors.clear_field("vehicule.puissance_cv") required=true />
                    </div>
                    <Show when=move || ptac_demande(genre.get())>
                        <div class="fr-fieldset__element">
                            <TextField id="vehicule-ptac" label="Poids total autorisé en charge (PTAC, kg)" hint="Rubrique F.2 ; il fixe la taxe Y2"
                                value=ptac error=errors.of("vehicule.ptac_kg") on_input=errors.clear_field("vehicule.ptac_kg") required=true />
                        </div>
                    </Show>
                    {importe.then(|| view! {
                        <div class="fr-fieldset__element">
                            <TextField id="vehicule-premiere-immatriculation" label="Date de première immatriculation (à l'étranger)" hint="jj/mm/aaaa"
                                value=premiere_immat error=errors.of("vehicule.date_premiere_immatriculation")
                                on_input=errors.clear_field("vehicule.date_premiere_immatriculation") required=true />
                        </div>
                    })}
                </fieldset>
            })}
            <h2 class="fr-h5">"2. L'identité du titulaire"</h2>
            <PersonneFields p=personne errors=errors prefixe="titulaire" legende="Le titulaire du véhicule est" qui="du titulaire"
                entreprise=("siren", "Numéro SIREN", "9 chiffres") />
            <AdresseFields a=a errors=errors legend="Adresse du titulaire" />
            <section class="fr-mb-4w" aria-labelledby="partie-3" data-testid="pieces-tpc">
                <h2 class="fr-h5" id="partie-3">"3. Les pièces jointes"</h2>
                {pour_autrui.then(|| view! { <p class="fr-text--sm">"Démarche pour autrui : le justificatif d'identité du mandant et le cerfa 13757 signé sont demandés."</p> })}
                {move || {
                    let liste = a_joindre.get();
                    if liste.is_empty() {
                        view! { <p data-testid="aucune-piece">"Aucune pièce justificative n'est demandée pour cette demande."</p> }.into_any()
                    } else {
                        view! {
                            <p>"Le système vous propose de joindre les pièces suivantes (les champs marqués d'une « * » sont obligatoires) :"</p>
                            {liste.into_iter().map(|r| {
                                let champ = r.type_piece.champ();
                                let (erreur, effacer) = (errors.of(champ.clone()), errors.clear_field(champ));
                                view! { <EnvoiPiece requise=r vue=ctx.vue erreur=erreur effacer=effacer /> }
                            }).collect_view()}
                        }.into_any()
                    }
                }}
            </section>
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><button class="fr-btn" type="submit" disabled=move || pending.get()>"Démarrer la procédure"</button></li>
            </ul>
        </form>
    }
    .into_any()
}
