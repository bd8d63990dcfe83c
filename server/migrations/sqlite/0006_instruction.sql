-- Le mode itératif : pièces jointes, instruction par le CERT, historique.
-- Règle : on n'édite jamais une migration déjà appliquée ; on en ajoute une.

-- Une démarche refusée par le CERT est finie, comme une démarche terminée
-- ou abandonnée : elle n'empêche pas d'en démarrer une autre.
drop index demarche_en_cours_unique;
create unique index demarche_en_cours_unique on demarche (compte_id, vehicule_id, teleprocedure)
    where etat not in ('terminee', 'abandonnee', 'refusee');

-- L'agent du CERT qui a pris la démarche (une seule à la fois), depuis quand,
-- et depuis quand elle attend le CERT (la file : les plus anciennes d'abord).
alter table demarche add column agent_id integer references compte (compte_id);
alter table demarche add column agent_depuis text;
alter table demarche add column en_attente_depuis text;
create index demarche_file_cert on demarche (etat, en_attente_depuis);

-- Le vol du certificat est-il enregistré au SIV ? (Sinon, un duplicata pour
-- vol passe par le contrôle de la déclaration de vol par le CERT.)
alter table vehicule add column vol_certificat integer not null default 0;

-- Les pièces jointes : le fichier est hors de la racine web, sous un nom
-- aléatoire ; le nom d'origine n'est qu'une information.
create table piece_jointe (
    piece_id      integer primary key,
    demarche_id   integer not null references demarche (demarche_id),
    type_piece    text not null,
    nom_original  text not null,
    format        text not null,
    taille        integer not null,
    sha256        text not null,
    fichier       text not null unique,
    -- deposee | acceptee | refusee | remplacee
    statut        text not null,
    deposee_le    text not null,
    instruite_le  text
);
-- Une seule version active (non remplacée) par pièce et par démarche.
create unique index piece_active on piece_jointe (demarche_id, type_piece) where statut <> 'remplacee';

-- L'historique (piste d'audit) : qui, quand, quoi, avec quel message.
create table demarche_evenement (
    evenement_id  integer primary key,
    demarche_id   integer not null references demarche (demarche_id),
    auteur        text not null,
    compte_id     integer references compte (compte_id),
    action        text not null,
    motif         text,
    message       text,
    piece_id      integer references piece_jointe (piece_id),
    cree_le       text not null
);
create index demarche_evenement_demarche on demarche_evenement (demarche_id, evenement_id);
