-- Le rattachement d'un véhicule à un compte par l'identité (compte certifié
-- par FranceConnect) : l'état civil du titulaire inscrit au registre. Nuls
-- pour une personne morale, ou quand le registre ne les porte pas.
alter table vehicule add column titulaire_date_naissance text;
-- Code COG de la commune (France) ou du pays (99…) de naissance.
alter table vehicule add column titulaire_lieu_naissance text;
-- Les candidats d'une identité : les véhicules sans compte nés ce jour-là.
create index vehicule_naissance on vehicule (titulaire_date_naissance) where compte_id is null;
