//! Page d'une téléprocédure dont l'assistant n'est pas encore construit :
//! elle le dit clairement, et donne déjà ce que la téléprocédure demandera
//! pour ce compte (tableau « éléments nécessaires » du domaine).

use crate::session::use_session;
use immat_domain::{regles::elements_necessaires, PourQui, Teleprocedure};
use leptos::prelude::*;
use leptos_router::components::A;

fn oui_non(b: bool) -> &'static str {
    if b {
        "Oui"
    } else {
        "Non"
    }
}

#[component]
pub fn NonDisponible(tp: Teleprocedure) -> impl IntoView {
    let session = use_session();
    move || {
        let compte = session.user.get().map(|u| u.type_compte);
        let lignes = compte.map(|c| {
            [PourQui::MoiMeme, PourQui::Autrui]
                .into_iter()
                .map(|pour| match elements_necessaires(tp, c, pour) {
                    Ok(e) => view! {
                        <tr>
                            <th scope="row">{pour.libelle()}</th>
                            <td>{oui_non(e.immatriculation)}</td>
                            <td>{oui_non(e.code_confidentiel)}</td>
                            <td>{oui_non(e.carte_bancaire)}</td>
                            <td>{oui_non(e.code_cession_ou_formule)}</td>
                        </tr>
                    }
                    .into_any(),
                    Err(err) => view! {
                        <tr>
                            <th scope="row">{pour.libelle()}</th>
                            <td colspan="4">{err.to_string()}</td>
                        </tr>
                    }
                    .into_any(),
                })
                .collect_view()
        });
        view! {
            <div class="fr-alert fr-alert--warning fr-mb-4w" role="status" data-testid="not-built">
                <h2 class="fr-alert__title">"Téléprocédure pas encore disponible"</h2>
                <p>
                    "Cette téléprocédure n'est pas encore construite dans Immat : vous ne pouvez pas encore la démarrer. "
                    "Aucune donnée n'a été enregistrée."
                </p>
            </div>
            <div class="fr-table">
                <table data-testid="elements-necessaires">
                    <caption>
                        "Les éléments nécessaires avec votre compte ("
                        {compte.map(|c| c.libelle())}
                        ")"
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"Demande"</th>
                            <th scope="col">"Immatriculation"</th>
                            <th scope="col">"Code confidentiel"</th>
                            <th scope="col">"Carte bancaire"</th>
                            <th scope="col">"Code de cession ou numéro de formule"</th>
                        </tr>
                    </thead>
                    <tbody>{lignes}</tbody>
                </table>
            </div>
            <A href="/espace-vehicule" attr:class="fr-btn fr-btn--secondary">"Retour à l'espace véhicule"</A>
        }
        .into_any()
    }
}
