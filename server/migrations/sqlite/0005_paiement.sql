-- Le changement de titulaire et le paiement des taxes.
-- Règle : on n'édite jamais une migration déjà appliquée ; on en ajoute une.

-- Le code de cession est pris par la démarche de l'acquéreur qui l'a saisi
-- (usage unique : aucune autre ne peut s'en servir ensuite).
alter table code_cession add column utilise_par integer references demarche (demarche_id);

-- Les paiements d'une démarche, côté service : chaque tentative est écrite
-- avant que l'usager ne paie (référence `refdet` = démarche + tentative).
create table paiement (
    paiement_id         integer primary key,
    demarche_id         integer not null references demarche (demarche_id),
    tentative           integer not null,
    refdet              text not null unique,
    -- L'identifiant de l'opération chez le prestataire, une fois créée.
    idop                text unique,
    montant_centimes    integer not null,
    -- en_cours | paye | refuse | abandonne
    etat                text not null,
    carte_fin           text,
    numero_autorisation text,
    cree_le             text not null,
    regle_le            text,
    unique (demarche_id, tentative)
);
-- Au plus une tentative en cours et un seul paiement réussi par démarche.
create unique index paiement_un_en_cours on paiement (demarche_id) where etat = 'en_cours';
create unique index paiement_un_paye on paiement (demarche_id) where etat = 'paye';

-- Le prestataire de paiement de démonstration (façon PayFiP) : ses propres
-- tables, qu'il est seul à écrire. Le numéro de carte n'y est jamais : ses
-- 4 derniers chiffres seulement.
create table payfip_operation (
    idop             text primary key,
    refdet           text not null unique,
    montant_centimes integer not null,
    objet            text not null,
    urlnotif         text,
    urlredirect      text not null,
    -- null : en attente ; P (payé), R (refusé), A (abandonné)
    resultrans       text,
    -- 3-D Secure : un code à usage unique est attendu.
    defi             integer not null default 0,
    carte_fin        text,
    numauto          text,
    cree_le          text not null,
    traite_le        text,
    notifie_le       text
);
