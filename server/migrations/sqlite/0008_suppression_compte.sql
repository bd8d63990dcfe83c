-- « Supprimer mon compte » : la ligne reste (les démarches terminées la
-- référencent) mais devient une pierre tombale : plus de session, de lien ni
-- de connexion (les lectures l'excluent), une adresse qui n'en est pas une.
alter table compte add column supprime_le text;
