-- Téléprocédures changement d'adresse et déclaration de cession :
-- tentatives de code confidentiel, envois (e-mails et courriers), codes de
-- cession.

-- Échecs de saisie du code confidentiel, par véhicule : au 5e échec, les
-- démarches du véhicule sont bloquées 15 minutes.
create table code_confidentiel_tentative (
    vehicule_id     integer primary key references vehicule (vehicule_id),
    echecs          integer not null default 0,
    bloque_jusqu_a  text
);

-- Boîte d'envoi : e-mails (envoyés aussi par SMTP si configuré) et courriers
-- (adresse au format La Poste, AFNOR NF Z 10-011).
create table envoi (
    envoi_id        integer primary key,
    canal           text not null,            -- email | courrier
    destinataire    text not null,            -- adresse e-mail, ou lignes AFNOR séparées par \n
    objet           text not null,
    corps           text not null,
    vehicule_id     integer references vehicule (vehicule_id),
    created_at      text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Code de cession : haché, à usage unique, valable 15 jours, lié au véhicule.
create table code_cession (
    code_cession_id integer primary key,
    vehicule_id     integer not null references vehicule (vehicule_id),
    demarche_id     integer not null references demarche (demarche_id),
    code_hash       text not null,
    expire_at       text not null,
    utilise_at      text,
    created_at      text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
create index code_cession_vehicule on code_cession (vehicule_id);
