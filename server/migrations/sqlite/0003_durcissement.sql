-- Durcissement : limites de tentatives atomiques, écritures conditionnelles
-- des démarches, code confidentiel en attente, un seul brouillon par
-- (compte, véhicule, téléprocédure).

-- Une limite de tentatives par clé (« connexion:compte:… »,
-- « code:vehicule:…:compte:… »…). Les instants sont en secondes Unix : la
-- réservation d'une tentative est une seule instruction (insert … on conflict
-- do update … returning), sans lecture puis écriture.
create table limite (
    cle             text primary key,
    tentatives      integer not null,
    debut           integer not null,
    bloque_jusqu_a  integer
);

drop table code_confidentiel_tentative;

-- Chaque écriture d'une démarche est conditionnée à l'état et à la version
-- lus : une écriture concurrente perd (409), elle n'écrase rien.
alter table demarche add column version integer not null default 0;

-- Deux « Démarrer la procédure » simultanés ne créent qu'un brouillon. Les
-- doublons qu'un ancien double clic a pu créer sont d'abord abandonnés (le
-- plus récent reste).
update demarche set etat = 'abandonnee'
    where etat not in ('terminee', 'abandonnee')
    and demarche_id not in (
        select max(demarche_id) from demarche where etat not in ('terminee', 'abandonnee')
        group by compte_id, vehicule_id, teleprocedure
    );
create unique index demarche_en_cours_unique on demarche (compte_id, vehicule_id, teleprocedure)
    where etat not in ('terminee', 'abandonnee');

-- « Je n'ai pas de code confidentiel » : chaque nouveau code attend ici (30
-- jours) ; l'ancien reste valable jusqu'à ce que l'un d'eux serve une première
-- fois, et alors tous les autres tombent. Plusieurs codes peuvent attendre :
-- une demande d'un tiers n'annule pas le code déjà envoyé au titulaire.
create table code_confidentiel_en_attente (
    code_en_attente_id integer primary key,
    vehicule_id        integer not null references vehicule (vehicule_id),
    code_hash          text not null,
    expire_at          integer not null,
    created_at         text not null default (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
create index code_en_attente_vehicule on code_confidentiel_en_attente (vehicule_id);

-- Version du code confidentiel du véhicule : elle change quand un nouveau code
-- sert. Une démarche ouverte avec l'ancien code ne se valide plus.
alter table vehicule add column code_confidentiel_version integer not null default 0;

-- La boîte d'envoi ne garde plus de code en clair : les envois déjà écrits
-- qui en portaient un sont effacés (les agents n'en voient qu'une forme masquée).
update envoi set corps = '(contenu effacé : cet envoi portait un code confidentiel en clair)'
    where objet like 'Votre code confidentiel%';
