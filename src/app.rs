//! L'application : en-tête DSFR, routes, pied de page.

use crate::{
    components::{
        layout::{DemoNotice, Footer, Header, SkipLinks},
        page::{AnnoncePage, Navigation, SuiviNavigation},
    },
    pages::{
        cert_dossier::CertDossierPage,
        cert_envois::CertEnvoisPage,
        cert_file::CertFilePage,
        cert_habilitations::CertHabilitationsPage,
        comptes::{ConfirmationAdressePage, ConfirmationPage, InscriptionPage, MotDePasseOubliePage, NouveauMotDePassePage},
        espace_vehicule::EspaceVehiculePage,
        home::HomePage,
        login::LoginPage,
        mon_compte::MonComptePage,
        mon_espace::MonEspacePage,
        not_found::NotFoundPage,
        procedures::{DemarchePage, ProcedurePage},
    },
    session::Session,
};
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute,
};

/// Une route chargée à la demande : son code (la page et ce qu'elle seule
/// emploie) forme un module wasm à part, que le navigateur ne télécharge
/// qu'en y entrant (découpage : `scripts/wasm-split.mjs`). La connexion et
/// l'accueil restent dans le module principal : le premier chargement.
macro_rules! route_paresseuse {
    ($route:ident, $page:path) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    };
}

route_paresseuse!(Inscription, InscriptionPage);
route_paresseuse!(Confirmation, ConfirmationPage);
route_paresseuse!(ConfirmationAdresse, ConfirmationAdressePage);
route_paresseuse!(MotDePasseOublie, MotDePasseOubliePage);
route_paresseuse!(NouveauMotDePasse, NouveauMotDePassePage);
route_paresseuse!(MonEspace, MonEspacePage);
route_paresseuse!(MonCompte, MonComptePage);
route_paresseuse!(CertFile, CertFilePage);
route_paresseuse!(CertEnvois, CertEnvoisPage);
route_paresseuse!(CertHabilitations, CertHabilitationsPage);
route_paresseuse!(CertDossier, CertDossierPage);
route_paresseuse!(EspaceVehicule, EspaceVehiculePage);
route_paresseuse!(Procedure, ProcedurePage);
route_paresseuse!(Demarche, DemarchePage);

#[component]
pub fn App() -> impl IntoView {
    Session::provide();
    let nav = Navigation::provide();
    view! {
        <Router>
            <SkipLinks />
            <DemoNotice />
            <Header />
            <main id="contenu" class="fr-container immat-main" tabindex="-1">
                <SuiviNavigation />
                <AnnoncePage />
                // Entre le clic et la nouvelle page, l'ancienne est inerte :
                // rien ne s'y saisit qui disparaîtrait.
                <div data-testid="page-courante" inert=move || nav.en_cours.get()>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/connexion") view=LoginPage />
                    <Route path=path!("/inscription") view={Lazy::<Inscription>::new()} />
                    <Route path=path!("/confirmation") view={Lazy::<Confirmation>::new()} />
                    <Route path=path!("/confirmation-adresse") view={Lazy::<ConfirmationAdresse>::new()} />
                    <Route path=path!("/mot-de-passe-oublie") view={Lazy::<MotDePasseOublie>::new()} />
                    <Route path=path!("/nouveau-mot-de-passe") view={Lazy::<NouveauMotDePasse>::new()} />
                    <Route path=path!("/mon-espace") view={Lazy::<MonEspace>::new()} />
                    <Route path=path!("/mon-compte") view={Lazy::<MonCompte>::new()} />
                    <Route path=path!("/cert") view={Lazy::<CertFile>::new()} />
                    <Route path=path!("/cert/envois") view={Lazy::<CertEnvois>::new()} />
                    <Route path=path!("/cert/habilitations") view={Lazy::<CertHabilitations>::new()} />
                    <Route path=path!("/cert/demarches/:numero") view={Lazy::<CertDossier>::new()} />
                    <Route path=path!("/espace-vehicule") view={Lazy::<EspaceVehicule>::new()} />
                    <Route path=path!("/espace-vehicule/demarche/:procedure") view={Lazy::<Procedure>::new()} />
                    <Route path=path!("/espace-vehicule/demarche/:procedure/:numero") view={Lazy::<Demarche>::new()} />
                </Routes>
                </div>
            </main>
            <Footer />
        </Router>
    }
}
