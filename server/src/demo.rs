//! Données de démonstration : un compte de chaque sorte nommée par le
//! support et un petit registre de véhicules réaliste. Idempotent : relancer
//! ne crée rien deux fois (clés : e-mail, immatriculation).

use crate::{
    config::{Config, DOMAINE_DEMO},
    db::{DbResult, NewCompte, NewVehicule, Repository},
    hachage::hash_password,
};
use immat_domain::{
    compte::Profil,
    regles::SituationAdministrative,
    taxes::{Energie, Genre},
    CodeConfidentiel, Immatriculation,
};

/// Mot de passe commun aux comptes de démonstration.
pub const DEMO_PASSWORD: &str = "Demo-Immat-2026";

pub struct DemoCompte {
    pub email: &'static str,
    pub prenom: &'static str,
    pub nom: &'static str,
    pub profil: Profil,
    pub certifie_franceconnect: bool,
    pub raison_sociale: Option<&'static str>,
    pub siren: Option<&'static str>,
}

pub const COMPTES: [DemoCompte; 6] = [
    DemoCompte {
        email: "julien.paul@demo.immat.fr",
        prenom: "Julien",
        nom: "Paul",
        profil: Profil::PersonnePhysique,
        certifie_franceconnect: false,
        raison_sociale: None,
        siren: None,
    },
    DemoCompte {
        email: "marie.dupont@demo.immat.fr",
        prenom: "Marie",
        nom: "Dupont",
        profil: Profil::PersonnePhysique,
        certifie_franceconnect: true,
        raison_sociale: None,
        siren: None,
    },
    DemoCompte {
        email: "gestion@transports-martin.demo.immat.fr",
        prenom: "Sophie",
        nom: "Martin",
        profil: Profil::PersonneMorale,
        certifie_franceconnect: false,
        raison_sociale: Some("TRANSPORTS MARTIN SARL"),
        siren: Some("732829320"),
    },
    DemoCompte {
        email: "garage.central@demo.immat.fr",
        prenom: "Karim",
        nom: "Benali",
        profil: Profil::ProfessionnelHabilite,
        certifie_franceconnect: false,
        raison_sociale: Some("GARAGE CENTRAL AUTOMOBILES"),
        siren: Some("552100554"),
    },
    DemoCompte {
        email: "agent.cert@demo.immat.fr",
        prenom: "Claire",
        nom: "Lefèvre",
        profil: Profil::AgentCert,
        certifie_franceconnect: false,
        raison_sociale: None,
        siren: None,
    },
    // Un second agent : une démarche prise par l'un n'est pas à l'autre.
    DemoCompte {
        email: "agent2.cert@demo.immat.fr",
        prenom: "Marc",
        nom: "Girard",
        profil: Profil::AgentCert,
        certifie_franceconnect: false,
        raison_sociale: None,
        siren: None,
    },
];

struct DemoVehicule {
    proprietaire: Option<&'static str>,
    immatriculation: &'static str,
    vin: &'static str,
    marque: &'static str,
    modele: &'static str,
    genre: Genre,
    energie: Energie,
    puissance_cv: u16,
    ptac_kg: Option<u32>,
    premiere_immatriculation: &'static str,
    numero_formule: Option<&'static str>,
    date_certificat: Option<&'static str>,
    titulaire_nom: &'static str,
    titulaire_prenoms: Option<&'static str>,
    titulaire_raison_sociale: Option<&'static str>,
    titulaire_siren: Option<&'static str>,
    voie: &'static str,
    code_postal: &'static str,
    commune: &'static str,
    situation: SituationAdministrative,
    gage_creancier: Option<&'static str>,
    /// Code confidentiel de démonstration (lisible ici exprès).
    code_confidentiel: &'static str,
    /// Le vol du certificat est déjà enregistré au SIV.
    vol_certificat: bool,
    /// L'état civil du titulaire inscrit : date (AAAA-MM-JJ) et code COG du
    /// lieu de naissance, quand le registre les porte.
    naissance: Option<(&'static str, Option<&'static str>)>,
}

fn sain() -> SituationAdministrative {
    SituationAdministrative::default()
}

fn vehicules() -> Vec<DemoVehicule> {
    let julien = |immat, vin, marque, modele, cv, premiere, formule, situation, code| DemoVehicule {
        proprietaire: Some("julien.paul@demo.immat.fr"),
        immatriculation: immat,
        vin,
        marque,
        modele,
        genre: Genre::Vp,
        energie: Energie::Essence,
        puissance_cv: cv,
        ptac_kg: Some(1650),
        premiere_immatriculation: premiere,
        numero_formule: Some(formule),
        date_certificat: None,
        titulaire_nom: "PAUL",
        titulaire_prenoms: Some("Julien"),
        titulaire_raison_sociale: None,
        titulaire_siren: None,
        voie: "12 RUE DE LA REPUBLIQUE",
        code_postal: "69002",
        commune: "LYON",
        situation,
        gage_creancier: None,
        code_confidentiel: code,
        vol_certificat: false,
        naissance: None,
    };
    let marie = |immat, vin, marque, modele, energie, cv, premiere, formule, situation, code| DemoVehicule {
        proprietaire: Some("marie.dupont@demo.immat.fr"),
        immatriculation: immat,
        vin,
        marque,
        modele,
        genre: Genre::Vp,
        energie,
        puissance_cv: cv,
        ptac_kg: Some(1800),
        premiere_immatriculation: premiere,
        numero_formule: formule,
        date_certificat: None,
        titulaire_nom: "DUPONT",
        titulaire_prenoms: Some("Marie Anne"),
        titulaire_raison_sociale: None,
        titulaire_siren: None,
        voie: "3 AVENUE DES TILLEULS",
        code_postal: "35000",
        commune: "RENNES",
        situation,
        gage_creancier: None,
        code_confidentiel: code,
        vol_certificat: false,
        naissance: None,
    };
    vec![
        // Véhicule sain.
        julien("AB-123-CD", "VF1RFB00012345678", "RENAULT", "CLIO V", 5, "2021-03-15", "2021AB12345", sain(), "AB2C-D3EF"),
        // Véhicule gagé (avertissement).
        DemoVehicule {
            gage_creancier: Some("DIAC SA"),
            ..julien(
                "CD-456-EF",
                "VF3LCYHZPHS123456",
                "PEUGEOT",
                "208",
                4,
                "2019-06-01",
                "2019CD54321",
                SituationAdministrative { gage: true, ..sain() },
                "GH4J-K5LM",
            )
        },
        // Ancien numéro FNI (date du certificat au lieu du numéro de formule).
        DemoVehicule {
            numero_formule: None,
            date_certificat: Some("2007-09-12"),
            ..julien("123 ABC 75", "VF7NFRHE8ST654321", "CITROEN", "C3", 4, "2007-09-12", "", sain(), "NP6Q-R7ST")
        },
        marie(
            "EF-789-GH",
            "WVWZZZAUZKW098765",
            "VOLKSWAGEN",
            "GOLF",
            Energie::Gazole,
            6,
            "2018-02-20",
            Some("2018EF67890"),
            sain(),
            "UV8W-X9YZ",
        ),
        // Opposition au transfert (OTCI) ; le vol de son certificat est déjà
        // enregistré au SIV (duplicata pour vol sans blocage).
        DemoVehicule {
            vol_certificat: true,
            ..marie(
                "GH-234-JK",
                "VF1AGVYB055112233",
                "RENAULT",
                "ZOE",
                Energie::Electrique,
                1,
                "2020-10-05",
                Some("2020GH23456"),
                SituationAdministrative { otci: true, ..sain() },
                "A2B3-C4D5",
            )
        },
        // Déclaré volé.
        marie(
            "JK-567-LM",
            "ZFA31200000778899",
            "FIAT",
            "500",
            Energie::Essence,
            4,
            "2016-04-18",
            Some("2016JK78901"),
            SituationAdministrative { vol: true, ..sain() },
            "E6F7-G8H9",
        ),
        // Personne morale : une camionnette.
        DemoVehicule {
            proprietaire: Some("gestion@transports-martin.demo.immat.fr"),
            immatriculation: "LM-890-NP",
            vin: "VF1FL000066778899",
            marque: "RENAULT",
            modele: "MASTER",
            genre: Genre::Ctte,
            energie: Energie::Gazole,
            puissance_cv: 8,
            ptac_kg: Some(3500),
            premiere_immatriculation: "2022-01-10",
            numero_formule: Some("2022LM89012"),
            date_certificat: None,
            titulaire_nom: "TRANSPORTS MARTIN SARL",
            titulaire_prenoms: None,
            titulaire_raison_sociale: Some("TRANSPORTS MARTIN SARL"),
            titulaire_siren: Some("732829320"),
            voie: "ZA DES GRANDS CHAMPS 45 RUE DE L INDUSTRIE",
            code_postal: "59000",
            commune: "LILLE",
            situation: sain(),
            gage_creancier: None,
            code_confidentiel: "J2K3-L4M5",
            vol_certificat: false,
            naissance: None,
        },
    ]
    .into_iter()
    .chain(sans_compte())
    .collect()
}

/// Des véhicules du registre dont le titulaire n'a pas (encore) de compte :
/// ceux d'un nouvel usager, qui les ajoute avec leur code confidentiel, et
/// ceux des identités fictives du fournisseur FranceConnect local
/// (`tools/franceconnect-local/identites.json`), qui rejoignent leur compte
/// à la première connexion. Le registre inscrit les noms en majuscules sans
/// accents ni ponctuation (SIV) : le rattachement compare après
/// normalisation.
fn sans_compte() -> Vec<DemoVehicule> {
    let v = |immat, vin, marque, modele, nom, prenoms, naissance, voie, cp, commune, code| DemoVehicule {
        proprietaire: None,
        immatriculation: immat,
        vin,
        marque,
        modele,
        genre: Genre::Vp,
        energie: Energie::Essence,
        puissance_cv: 5,
        ptac_kg: Some(1600),
        premiere_immatriculation: "2020-05-12",
        numero_formule: Some("2020NV00001"),
        date_certificat: None,
        titulaire_nom: nom,
        titulaire_prenoms: Some(prenoms),
        titulaire_raison_sociale: None,
        titulaire_siren: None,
        voie,
        code_postal: cp,
        commune,
        situation: sain(),
        gage_creancier: None,
        code_confidentiel: code,
        vol_certificat: false,
        naissance,
    };
    vec![
        // Une seconde camionnette de la société Transports Martin, que son
        // compte n'a pas encore : elle le rejoint par le SIREN quand le CERT
        // approuve son représentant légal.
        DemoVehicule {
            titulaire_prenoms: None,
            titulaire_raison_sociale: Some("TRANSPORTS MARTIN SARL"),
            titulaire_siren: Some("732829320"),
            genre: Genre::Ctte,
            energie: Energie::Gazole,
            ..v(
                "SP-700-CT",
                "VF7YBZMFB12700007",
                "CITROEN",
                "JUMPY",
                "TRANSPORTS MARTIN SARL",
                "",
                None,
                "ZA DES GRANDS CHAMPS 45 RUE DE L INDUSTRIE",
                "59000",
                "LILLE",
                "SP7C-T8AB",
            )
        },
        // Un nouvel usager (compte créé aujourd'hui) : ajouté par son code.
        v(
            "NV-500-AA",
            "VF1BM0R0H12345001",
            "RENAULT",
            "MEGANE",
            "MOREAU",
            "Camille",
            None,
            "8 RUE DES LILAS",
            "44000",
            "NANTES",
            "NV5A-A6BC",
        ),
        v(
            "NV-600-BB",
            "VF3MCYHZRKS600002",
            "PEUGEOT",
            "3008",
            "ROUSSEL",
            "Thomas",
            None,
            "21 BOULEVARD GAMBETTA",
            "38000",
            "GRENOBLE",
            "NV6B-B7CD",
        ),
        // Les identités du fournisseur FranceConnect local.
        v(
            "FC-101-AD",
            "VF7SXHMZ6LT101003",
            "CITROEN",
            "C4",
            "DUBOIS",
            "ANGELA CLAIRE LOUISE",
            Some(("1962-08-24", Some("75107"))),
            "15 RUE DE GRENELLE",
            "75007",
            "PARIS",
            "FC2A-D3AB",
        ),
        v(
            "FC-202-JP",
            "WBA8E9C50GK202004",
            "BMW",
            "SERIE 3",
            "DE LA TOUR D AUVERGNE",
            "JEAN PHILIPPE ELOI",
            Some(("1976-02-29", Some("69123"))),
            "4 QUAI SAINT ANTOINE",
            "69002",
            "LYON",
            "FC3J-P4AB",
        ),
        v(
            "FC-303-LG",
            "VSSZZZKJZMR303005",
            "SEAT",
            "IBIZA",
            "GARCIA PEREZ",
            "LUCIA",
            Some(("1990-11-03", Some("99134"))),
            "27 COURS VICTOR HUGO",
            "33000",
            "BORDEAUX",
            "FC4L-G5AB",
        ),
        // Une identité presque la même (un prénom de plus au registre) :
        // rien n'est rattaché ; l'usagère l'ajoute avec son code.
        v(
            "FC-404-EL",
            "VF1RJA00X6R404006",
            "RENAULT",
            "CAPTUR",
            "LEFEVRE CAVAILLES",
            "ELOISE MARIE",
            Some(("1988-05-17", Some("13055"))),
            "102 RUE PARADIS",
            "13006",
            "MARSEILLE",
            "FC5E-L6AB",
        ),
    ]
}

/// Au démarrage : en mode démonstration, ensemence ; hors démonstration,
/// refuse une base qui porte encore les comptes de démonstration (leur mot de
/// passe est public).
pub async fn preparer(config: &Config, repo: &dyn Repository) -> anyhow::Result<()> {
    if config.demo {
        seed(repo).await?;
        tracing::info!("données de démonstration prêtes");
        return Ok(());
    }
    let n = repo.comptes_du_domaine(DOMAINE_DEMO).await?;
    if n > 0 {
        anyhow::bail!(
            "Cette base contient {n} compte(s) de démonstration (@{DOMAINE_DEMO}), dont le mot de passe est public : \
             refus de démarrer hors du mode démonstration. Démarrez avec --demo true, ou utilisez une autre base \
             (--data-dir ou --database-url)."
        );
    }
    Ok(())
}

pub async fn seed(repo: &dyn Repository) -> anyhow::Result<()> {
    for c in &COMPTES {
        if repo.compte_par_email(c.email).await?.is_some() {
            continue;
        }
        let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD)).await??;
        repo.inserer_compte_si_absent(&NewCompte {
            email: c.email.into(),
            password_hash: hash,
            prenom: c.prenom.into(),
            nom: c.nom.into(),
            profil: c.profil,
            certifie_franceconnect: c.certifie_franceconnect,
            raison_sociale: c.raison_sociale.map(Into::into),
            siren: c.siren.map(Into::into),
        })
        .await?;
    }
    for v in vehicules() {
        inserer_vehicule(repo, v).await?;
    }
    Ok(())
}

async fn inserer_vehicule(repo: &dyn Repository, v: DemoVehicule) -> anyhow::Result<()> {
    let immat = Immatriculation::parse(v.immatriculation)?;
    let compte_id = match v.proprietaire {
        Some(email) => repo.compte_par_email(email).await?.map(|c| c.id),
        None => None,
    };
    let code = CodeConfidentiel::parse(v.code_confidentiel)?;
    let code_hash = tokio::task::spawn_blocking(move || hash_password(code.compact())).await??;
    let record = NewVehicule {
        id: 0,
        immatriculation: immat.to_string(),
        type_immatriculation: immat.kind(),
        vin: v.vin.into(),
        marque: v.marque.into(),
        modele: v.modele.into(),
        genre: v.genre,
        energie: v.energie,
        puissance_cv: v.puissance_cv,
        ptac_kg: v.ptac_kg,
        date_premiere_immatriculation: immat_domain::DateFr::parse(v.premiere_immatriculation)?,
        numero_formule: v.numero_formule.filter(|f| !f.is_empty()).map(Into::into),
        date_certificat: v.date_certificat.map(immat_domain::DateCertificat::parse).transpose()?,
        compte_id,
        titulaire_nom: v.titulaire_nom.into(),
        titulaire_prenoms: v.titulaire_prenoms.map(Into::into),
        titulaire_raison_sociale: v.titulaire_raison_sociale.map(Into::into),
        titulaire_siren: v.titulaire_siren.map(Into::into),
        titulaire_date_naissance: v.naissance.map(|(date, _)| date.to_owned()),
        titulaire_lieu_naissance: v.naissance.and_then(|(_, lieu)| lieu.map(Into::into)),
        cotitulaire: None,
        adresse_voie: v.voie.into(),
        adresse_complement: None,
        adresse_lieu_dit: None,
        adresse_code_postal: v.code_postal.into(),
        adresse_commune: v.commune.into(),
        location_longue_duree: false,
        changements_adresse: 0,
        situation: v.situation,
        gage_creancier: v.gage_creancier.map(Into::into),
        code_confidentiel_hash: Some(code_hash),
        code_confidentiel_version: 0,
        vol_certificat_enregistre: v.vol_certificat,
    };
    let _: DbResult<i64> = Ok(repo.inserer_vehicule_si_absent(&record).await?);
    Ok(())
}
