-- Schéma initial : comptes, sessions, véhicules du registre, démarches.
-- Règle : on n'édite jamais une migration déjà appliquée ; on en ajoute une.
-- Les dates sont en texte ISO 8601 (UTC), lisibles et triables.

create table compte (
    compte_id             integer primary key,
    email                 text not null unique,
    password_hash         text not null,
    prenom                text not null,
    nom                   text not null,
    -- personne_physique | personne_morale | professionnel_habilite | agent_cert
    profil                text not null,
    -- Compte certifié via FranceConnect (modélisé par un drapeau tant que la
    -- connexion FranceConnect n'existe pas).
    certifie_franceconnect integer not null default 0,
    raison_sociale        text,
    siren                 text,
    created_at            text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Le jeton de session n'est stocké que haché (SHA-256 hex) : une fuite de la
-- base ne donne pas de session valide.
create table session (
    token_hash   text primary key,
    compte_id    integer not null references compte (compte_id) on delete cascade,
    expires_at   text not null,
    created_at   text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
create index session_compte on session (compte_id);

-- Le registre des véhicules (SIV/FNI). Le titulaire est porté par la ligne :
-- un véhicule a un titulaire et, au plus, un cotitulaire.
create table vehicule (
    vehicule_id            integer primary key,
    immatriculation        text not null unique,
    type_immatriculation   text not null,
    vin                    text not null,
    marque                 text not null,
    modele                 text not null,
    genre                  text not null,
    energie                text not null,
    puissance_cv           integer not null,
    ptac_kg                integer,
    date_premiere_immatriculation text not null,
    numero_formule         text,
    date_certificat        text,
    -- Le compte ANTS du titulaire, s'il en a un.
    compte_id              integer references compte (compte_id),
    titulaire_nom          text not null,
    titulaire_prenoms      text,
    titulaire_raison_sociale text,
    titulaire_siren        text,
    cotitulaire            text,
    adresse_voie           text not null,
    adresse_complement     text,
    adresse_code_postal    text not null,
    adresse_commune        text not null,
    location_longue_duree  integer not null default 0,
    changements_adresse    integer not null default 0,
    -- Situation administrative.
    gage                   integer not null default 0,
    gage_creancier         text,
    otci                   integer not null default 0,
    ove                    integer not null default 0,
    ovei                   integer not null default 0,
    dvs                    integer not null default 0,
    suspendue              integer not null default 0,
    annulee                integer not null default 0,
    vol                    integer not null default 0,
    cede                   integer not null default 0,
    -- Code confidentiel du titulaire, haché (argon2).
    code_confidentiel_hash text
);
create index vehicule_compte on vehicule (compte_id);

create table demarche (
    demarche_id     integer primary key,
    numero          text not null unique,
    compte_id       integer not null references compte (compte_id),
    vehicule_id     integer references vehicule (vehicule_id),
    teleprocedure   text not null,
    etat            text not null,
    pour_qui        text not null,
    -- Les données saisies, étape par étape (JSON).
    donnees         text not null default '{}',
    etape           integer not null default 1,
    created_at      text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
create index demarche_compte on demarche (compte_id);
