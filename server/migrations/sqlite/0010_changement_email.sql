-- « Changer d'adresse électronique » : le jeton du lien envoyé à la
-- nouvelle adresse la garde jusqu'à la confirmation.
alter table jeton_compte add column nouvelle_adresse text;
