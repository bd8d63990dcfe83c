// Auto-test du fournisseur d'identité local : joue, comme le ferait un
// fournisseur de service, un flux « authorization code » complet (PKCE S256,
// state, nonce, acr_values=eidas1) contre un fournisseur déjà démarré, puis
// vérifie le refus d'un code rejoué, l'annulation et la déconnexion.
//
//   FC_LOCAL_ISSUER=http://127.0.0.1:4010 node selftest.mjs
//
// Uniquement des modules intégrés de Node.js (fetch global, node:crypto).
// Sort avec un code non nul au premier échec.

import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';

const env = process.env;
const EMETTEUR = (env.FC_LOCAL_ISSUER || 'http://127.0.0.1:4010').replace(/\/$/, '');
const CLIENT_ID = env.FC_LOCAL_CLIENT_ID || 'immat-demo';
const CLIENT_SECRET = env.FC_LOCAL_CLIENT_SECRET || 'immat-demo-secret-0123456789abcdef';
const REDIRECT_URI = (env.FC_LOCAL_REDIRECT_URIS || 'http://127.0.0.1:8080/api/v1/auth/franceconnect/retour').split(',')[0].trim();
const POST_LOGOUT_URI = (env.FC_LOCAL_POST_LOGOUT_URIS || 'http://127.0.0.1:8080/connexion').split(',')[0].trim();
const PORTEES = 'openid given_name family_name birthdate gender birthplace birthcountry email preferred_username address';

const ATTENDU = {
  given_name: 'Jean-Philippe Éloi',
  family_name: "DE LA TOUR D'AUVERGNE",
  birthdate: '1976-02-29',
  gender: 'male',
  birthplace: '69123',
  birthcountry: '99100',
  email: 'jp.delatour@fc-test.example',
  preferred_username: 'MARTIN',
};

let etape = 0;
function ok(message) {
  etape += 1;
  console.log(`ok ${etape} - ${message}`);
}
class Echec extends Error {}
function verifier(condition, message) {
  if (!condition) throw new Echec(message);
}
function egal(obtenu, attendu, quoi) {
  verifier(
    JSON.stringify(obtenu) === JSON.stringify(attendu),
    `${quoi} : attendu ${JSON.stringify(attendu)}, obtenu ${JSON.stringify(obtenu)}`,
  );
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const aleatoire = () => b64url(randomBytes(32));

// Un petit « navigateur » : cookies gardés à la main (sans tenir compte des
// chemins : les noms des cookies du fournisseur sont tous différents),
// redirections non suivies.
class Navigateur {
  cookies = new Map();

  async requete(url, options = {}) {
    const headers = { ...(options.headers || {}) };
    if (this.cookies.size) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    const rep = await fetch(url, { ...options, headers, redirect: 'manual' });
    for (const ligne of rep.headers.getSetCookie()) {
      const [paire, ...attributs] = ligne.split(';');
      const i = paire.indexOf('=');
      const nom = paire.slice(0, i).trim();
      const valeur = paire.slice(i + 1).trim();
      const expire = attributs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now());
      if (!valeur || expire) this.cookies.delete(nom);
      else this.cookies.set(nom, valeur);
    }
    return rep;
  }

  // Suit les redirections internes au fournisseur ; s'arrête sur une page
  // (200) ou sur une redirection hors du fournisseur (retour au service).
  async suivre(url, options) {
    let rep = await this.requete(url, options);
    for (let i = 0; i < 10; i += 1) {
      if (rep.status < 300 || rep.status >= 400) return { rep, url };
      const suivante = new URL(rep.headers.get('location'), url).href;
      if (!suivante.startsWith(`${EMETTEUR}/`)) return { rep, url: suivante, sortie: true };
      url = suivante;
      rep = await this.requete(url);
    }
    throw new Echec('trop de redirections');
  }
}

function formulaires(html) {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map(([, attrs, corps]) => ({
    action: (attrs.match(/action="([^"]*)"/) || [])[1],
    id: (attrs.match(/id="([^"]*)"/) || [])[1],
    corps,
    champs: Object.fromEntries([...corps.matchAll(/<input\b[^>]*name="([^"]*)"[^>]*value="([^"]*)"/g)].map(([, n, v]) => [n, v])),
  }));
}

function decoderJwt(jwt) {
  const [h, p, s] = jwt.split('.');
  return {
    entete: JSON.parse(Buffer.from(h, 'base64url')),
    charge: JSON.parse(Buffer.from(p, 'base64url')),
    signe: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

async function json(rep, quoi) {
  const texte = await rep.text();
  try {
    return JSON.parse(texte);
  } catch {
    throw new Echec(`${quoi} : réponse non JSON (${rep.status}) : ${texte.slice(0, 200)}`);
  }
}

async function demanderAutorisation(nav, meta, extra = {}) {
  const etat = aleatoire();
  const nonce = aleatoire();
  const verificateur = aleatoire();
  const defi = b64url(createHash('sha256').update(verificateur).digest());
  const url = new URL(meta.authorization_endpoint);
  // Un paramètre d'`extra` vide retire le paramètre de la requête.
  const parametres = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: PORTEES,
    state: etat,
    nonce,
    code_challenge: defi,
    code_challenge_method: 'S256',
    acr_values: 'eidas1',
    ...extra,
  };
  url.search = new URLSearchParams(Object.entries(parametres).filter(([, v]) => v !== ''));
  const resultat = await nav.suivre(url.href);
  return { ...resultat, etat, nonce, verificateur };
}

async function echangerCode(meta, code, verificateur) {
  return fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      code_verifier: verificateur,
    }),
  });
}

async function principal() {
  console.log(`# fournisseur : ${EMETTEUR}, client : ${CLIENT_ID}, retour : ${REDIRECT_URI}`);

  // 1. Découverte.
  const meta = await json(await fetch(`${EMETTEUR}/.well-known/openid-configuration`), 'découverte');
  egal(meta.issuer, EMETTEUR, 'issuer');
  for (const champ of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
    verifier(typeof meta[champ] === 'string' && meta[champ].startsWith(EMETTEUR), `découverte : ${champ} absent`);
  }
  verifier(meta.code_challenge_methods_supported?.includes('S256'), 'découverte : S256 absent');
  verifier(meta.acr_values_supported?.includes('eidas1'), 'découverte : eidas1 absent');
  verifier(meta.token_endpoint_auth_methods_supported?.includes('client_secret_post'), 'découverte : client_secret_post absent');
  verifier(meta.id_token_signing_alg_values_supported?.includes('RS256'), 'découverte : RS256 absent');
  ok(`découverte : issuer ${meta.issuer}`);

  const jwks = await json(await fetch(meta.jwks_uri), 'jwks');
  verifier(Array.isArray(jwks.keys) && jwks.keys.length > 0, 'jwks vide');
  verifier(jwks.keys.every((k) => !('d' in k)), 'jwks : clé privée exposée');
  ok(`jwks : ${jwks.keys.length} clé(s) publique(s)`);

  // 2. Autorisation : redirigé vers la page d'interaction.
  const nav = new Navigateur();
  const auth = await demanderAutorisation(nav, meta);
  verifier(auth.rep.status === 200 && new URL(auth.url).pathname.startsWith('/interaction/'), `autorisation : page d'interaction attendue, obtenu ${auth.rep.status} ${auth.url}`);
  const html = await auth.rep.text();
  verifier(/<html lang="fr"/.test(html), 'interaction : lang="fr" absent');
  verifier(html.includes("<h1>Fournisseur d'identité de test</h1>"), 'interaction : titre absent');
  verifier(html.includes("Ceci est un fournisseur d'identité de démonstration qui imite FranceConnect : aucune donnée réelle."), 'interaction : avertissement absent');
  verifier(html.includes("Se connecter en tant que Jean-Philippe Éloi DE LA TOUR D'AUVERGNE"), 'interaction : bouton de jean-philippe absent');
  verifier(/<button[^>]*>Annuler<\/button>/.test(html), 'interaction : bouton Annuler absent');
  ok(`autorisation → page d'interaction ${new URL(auth.url).pathname}`);

  // 3. Choix de l'identité jean-philippe.
  const form = formulaires(html).find((f) => f.champs.identite === 'jean-philippe');
  verifier(form, 'interaction : formulaire de jean-philippe absent');
  const retour = await nav.suivre(new URL(form.action, auth.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.champs),
  });
  verifier(retour.sortie && retour.url.startsWith(`${REDIRECT_URI}?`), `connexion : retour au service attendu, obtenu ${retour.rep.status} ${retour.url}`);
  const params = new URL(retour.url).searchParams;
  verifier(!params.has('error'), `connexion : erreur ${params.get('error')} ${params.get('error_description')}`);
  egal(params.get('state'), auth.etat, 'state');
  egal(params.get('iss'), EMETTEUR, 'iss de la réponse');
  const code = params.get('code');
  verifier(code, 'code absent');
  ok('identité jean-philippe choisie → retour au service avec code, state et iss');

  // 4. Échange du code (client_secret_post + code_verifier).
  const repJeton = await echangerCode(meta, code, auth.verificateur);
  const jetons = await json(repJeton, 'jeton');
  verifier(repJeton.status === 200, `jeton : ${repJeton.status} ${JSON.stringify(jetons)}`);
  verifier(jetons.access_token && jetons.id_token, 'jeton : access_token ou id_token absent');
  egal(jetons.token_type, 'Bearer', 'token_type');
  verifier(!jetons.refresh_token, 'jeton : refresh_token inattendu');
  ok(`échange du code : access_token, id_token (expire dans ${jetons.expires_in} s)`);

  // 5. Jeton d'identité : signature RS256 et claims.
  const idt = decoderJwt(jetons.id_token);
  egal(idt.entete.alg, 'RS256', 'alg');
  const cle = jwks.keys.find((k) => k.kid === idt.entete.kid);
  verifier(cle, `kid ${idt.entete.kid} absent du JWKS`);
  verifier(
    verify('RSA-SHA256', Buffer.from(idt.signe), createPublicKey({ key: cle, format: 'jwk' }), idt.signature),
    'signature du jeton d\'identité invalide',
  );
  const c = idt.charge;
  egal(c.iss, EMETTEUR, 'iss');
  verifier(c.aud === CLIENT_ID || (Array.isArray(c.aud) && c.aud.includes(CLIENT_ID)), `aud : ${c.aud}`);
  egal(c.nonce, auth.nonce, 'nonce');
  egal(c.acr, 'eidas1', 'acr');
  verifier(/^[0-9a-f]{64}$/.test(c.sub), `sub opaque attendu, obtenu ${c.sub}`);
  verifier(c.exp > Date.now() / 1000 && c.iat <= Date.now() / 1000 + 5, 'exp/iat incohérents');
  verifier(!('given_name' in c), 'le jeton d\'identité ne doit pas porter les claims d\'identité (userinfo seulement)');
  ok(`jeton d'identité : signature RS256 valide, iss, aud, nonce, acr=${c.acr}, sub=${c.sub.slice(0, 12)}…`);
  console.log(`# claims du jeton d'identité : ${Object.keys(c).join(', ')}`);

  // 6. Userinfo.
  const repUi = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${jetons.access_token}` } });
  const ui = await json(repUi, 'userinfo');
  verifier(repUi.status === 200, `userinfo : ${repUi.status} ${JSON.stringify(ui)}`);
  egal(ui.sub, c.sub, 'sub de userinfo');
  for (const [claim, valeur] of Object.entries(ATTENDU)) egal(ui[claim], valeur, claim);
  verifier(ui.address && typeof ui.address.formatted === 'string' && ui.address.formatted.length > 0, 'address.formatted absent');
  ok(`userinfo : ${Object.keys(ui).join(', ')}`);
  console.log(`# userinfo : ${JSON.stringify(ui)}`);

  // 7. Le même code rejoué est refusé.
  const repRejeu = await echangerCode(meta, code, auth.verificateur);
  const rejeu = await json(repRejeu, 'rejeu');
  verifier(repRejeu.status === 400 && rejeu.error === 'invalid_grant', `rejeu : invalid_grant attendu, obtenu ${repRejeu.status} ${JSON.stringify(rejeu)}`);
  ok(`code rejoué refusé : ${repRejeu.status} ${rejeu.error}`);

  // 8. Sans PKCE : refusé.
  const sansPkce = await demanderAutorisation(new Navigateur(), meta, { code_challenge: '', code_challenge_method: '' });
  const erreurPkce = sansPkce.sortie ? new URL(sansPkce.url).searchParams.get('error') : `page ${sansPkce.rep.status}`;
  egal(erreurPkce, 'invalid_request', 'autorisation sans PKCE');
  ok('autorisation sans PKCE refusée : invalid_request');

  // 9. « Annuler » : access_denied.
  const nav2 = new Navigateur();
  const auth2 = await demanderAutorisation(nav2, meta);
  const annuler = formulaires(await auth2.rep.text()).find((f) => /Annuler/.test(f.corps));
  verifier(annuler, 'formulaire Annuler absent');
  const retour2 = await nav2.suivre(new URL(annuler.action, auth2.url).href, { method: 'POST', body: new URLSearchParams() });
  const params2 = retour2.sortie ? new URL(retour2.url).searchParams : new URLSearchParams();
  egal(params2.get('error'), 'access_denied', 'annulation');
  egal(params2.get('state'), auth2.etat, 'state de l\'annulation');
  ok('« Annuler » → retour au service avec error=access_denied');

  // 10. Déconnexion à l'initiative du service (end_session_endpoint).
  const fin = new URL(meta.end_session_endpoint);
  const etatFin = aleatoire();
  fin.search = new URLSearchParams({
    id_token_hint: jetons.id_token,
    post_logout_redirect_uri: POST_LOGOUT_URI,
    state: etatFin,
  });
  const pageFin = await nav.suivre(fin.href);
  const htmlFin = await pageFin.rep.text();
  verifier(pageFin.rep.status === 200 && htmlFin.includes("Fournisseur d'identité de test — déconnexion"), `déconnexion : page de confirmation attendue, obtenu ${pageFin.rep.status}`);
  verifier(/<button[^>]*name="logout"[^>]*>Se déconnecter<\/button>/.test(htmlFin), 'déconnexion : bouton « Se déconnecter » absent');
  const formFin = formulaires(htmlFin).find((f) => f.id === 'op.logoutForm');
  verifier(formFin, 'déconnexion : formulaire op.logoutForm absent');
  const sortie = await nav.suivre(new URL(formFin.action, pageFin.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...formFin.champs, logout: 'yes' }),
  });
  verifier(sortie.sortie && sortie.url.startsWith(POST_LOGOUT_URI), `déconnexion : retour à ${POST_LOGOUT_URI} attendu, obtenu ${sortie.rep.status} ${sortie.url}`);
  egal(new URL(sortie.url).searchParams.get('state'), etatFin, 'state de la déconnexion');
  ok(`déconnexion : confirmation « Se déconnecter » → ${sortie.url.split('?')[0]}`);

  console.log(`# auto-test réussi (${etape} étapes)`);
}

principal().catch((err) => {
  console.log(`not ok ${etape + 1} - ${err instanceof Echec ? err.message : err.stack || err}`);
  process.exit(1);
});
