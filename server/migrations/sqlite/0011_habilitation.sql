-- Les habilitations de professionnel de l'automobile : déclarées par le
-- compte d'une société, vérifiées par un agent du CERT. Une par compte ; une
-- demande refusée peut être refaite (la ligne est réécrite).
create table habilitation (
    habilitation_id  integer primary key,
    compte_id        integer not null unique references compte (compte_id) on delete cascade,
    siret            text not null,
    numero           text not null,
    -- en_attente | approuvee | refusee
    etat             text not null,
    demandee_le      text not null,
    decidee_le       text,
    agent_id         integer references compte (compte_id),
    motif_refus      text
);
create index habilitation_etat on habilitation (etat, demandee_le);
