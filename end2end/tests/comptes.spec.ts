import { expect, expectAccessible, LoginPage, loginAs, resetDemo, test } from "./fixtures/app";

const AGENT = "agent.cert@demo.immat.fr";
const MDP = "cheval agrafe batterie 7";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

/** Le lien du dernier e-mail à `email`, lu dans la boîte d'envoi par l'agent. */
async function lienRecu(agent: import("@playwright/test").Page, email: string, objet: RegExp): Promise<string> {
  await agent.goto("/cert/envois");
  const mail = agent.getByTestId("envoi").filter({ hasText: email }).filter({ hasText: objet }).first();
  await expect(mail).toBeVisible();
  const corps = await mail.getByTestId("corps").innerText();
  const m = corps.match(/https?:\/\/\S+?(\/[a-z-]+\?jeton=[0-9a-f]+)/);
  expect(m, corps).not.toBeNull();
  return m![1];
}

test("créer un compte classique, confirmer l'adresse par le lien reçu, se connecter", async ({ page, agent }) => {
  await page.goto("/connexion");
  await page.getByRole("link", { name: "Créer un compte" }).click();
  await expect(page.getByRole("heading", { name: "Créer un compte", level: 1 })).toBeVisible();
  // La règle du mot de passe est dite avant la saisie.
  await expect(page.getByText("12 caractères au moins")).toBeVisible();
  await expectAccessible(page);
  // Tout vide : chaque erreur à son champ, le focus sur la première.
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await expect(page.getByLabel("Adresse électronique")).toBeFocused();
  await expect(page.getByLabel("Adresse électronique")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Choisissez votre civilité.")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Adresse électronique").fill("lea.martin@exemple.fr");
  await page.getByLabel("Mot de passe").fill("trop court");
  await page.locator("label", { hasText: "Madame" }).click();
  await page.getByLabel("Nom (obligatoire)", { exact: true }).fill("Martin");
  await page.getByLabel("Prénoms").fill("Léa");
  await page.locator("label", { hasText: "Un particulier (personne physique)" }).click();
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await expect(page.getByText(/au moins 12 caractères/)).toBeVisible();
  // Ce qui était saisi reste.
  await expect(page.getByLabel("Nom (obligatoire)", { exact: true })).toHaveValue("Martin");
  await page.getByLabel("Mot de passe").fill(MDP);
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await expect(page.getByTestId("compte-message")).toContainText("un e-mail vient d'y être envoyé");

  // Avant la confirmation, la connexion est refusée.
  const login = new LoginPage(page);
  await login.goto();
  await login.login("lea.martin@exemple.fr", MDP);
  await expect(page.getByTestId("login-error")).toContainText("pas encore confirmée");

  // L'e-mail, lu dans la boîte d'envoi (autre navigateur), puis le lien.
  await loginAs(agent, AGENT);
  const lien = await lienRecu(agent, "lea.martin@exemple.fr", /Confirmez votre adresse/);
  await page.goto(lien);
  await expect(page.getByTestId("compte-message")).toContainText("Votre adresse électronique est confirmée");
  await expectAccessible(page);
  // Le lien ne sert qu'une fois.
  await page.goto(lien);
  await expect(page.getByTestId("error-alert")).toContainText("n'est plus valable");
  await loginAs(page, "lea.martin@exemple.fr", MDP);
  await expect(page.getByTestId("welcome")).toContainText("Léa MARTIN");
});

test("mot de passe oublié : lien reçu, nouveau mot de passe, sessions fermées", async ({ page, agent }) => {
  await page.goto("/connexion");
  await page.getByRole("link", { name: "Mot de passe oublié ?" }).click();
  await expect(page.getByRole("heading", { name: "Mot de passe oublié", level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Adresse électronique de votre compte").fill("julien.paul@demo.immat.fr");
  await page.getByRole("button", { name: "Recevoir un lien" }).click();
  await expect(page.getByTestId("compte-message")).toContainText("Si un compte existe pour cette adresse");
  await loginAs(agent, AGENT);
  const lien = await lienRecu(agent, "julien.paul@demo.immat.fr", /Nouveau mot de passe/);
  await page.goto(lien);
  await expect(page.getByRole("heading", { name: "Choisir un nouveau mot de passe", level: 1 })).toBeVisible();
  await page.getByLabel("Nouveau mot de passe").fill("court");
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await expect(page.getByText(/au moins 12 caractères/)).toBeVisible();
  await page.getByLabel("Nouveau mot de passe").fill("nouveau secret solide 42");
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await expect(page.getByTestId("compte-message")).toContainText("toutes vos sessions sont fermées");
  await expectAccessible(page);
  await loginAs(page, "julien.paul@demo.immat.fr", "nouveau secret solide 42");
});

test("compte d'une personne morale : raison sociale et SIREN vérifié", async ({ page }) => {
  await page.goto("/inscription");
  await page.getByLabel("Adresse électronique").fill("contact@garage-dupuis.fr");
  await page.getByLabel("Mot de passe").fill(MDP);
  await page.locator("label", { hasText: "Monsieur" }).click();
  await page.getByLabel("Nom (obligatoire)", { exact: true }).fill("Dupuis");
  await page.getByLabel("Prénoms").fill("Marc");
  await page.locator("label", { hasText: "Une société ou une association (personne morale)" }).click();
  await page.getByLabel("Raison sociale").fill("Garage Dupuis");
  await page.getByLabel("Numéro SIREN").fill("732 829 321");
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await expect(page.getByLabel("Numéro SIREN")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await page.getByLabel("Numéro SIREN").fill("732 829 320");
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await expect(page.getByTestId("compte-message")).toContainText("un e-mail vient d'y être envoyé");
});

test("Mon compte : identité, sessions ouvertes, « Se déconnecter partout » ferme aussi l'autre navigateur", async ({ page, agent }) => {
  await loginAs(page, "marie.dupont@demo.immat.fr");
  await loginAs(agent, "marie.dupont@demo.immat.fr");
  await page.goto("/mon-compte");
  await expect(page.getByRole("heading", { name: "Mon compte", level: 1 })).toBeVisible();
  await expect(page.getByTestId("identite")).toContainText("marie.dupont@demo.immat.fr");
  await expect(page.getByTestId("sessions").locator("tbody tr")).toHaveCount(2);
  await expect(page.getByTestId("sessions").getByText("Cette session")).toHaveCount(1);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Se déconnecter partout" }).click();
  await expect(page).toHaveURL(/\/connexion/);
  // L'autre navigateur aussi est déconnecté.
  await agent.goto("/mon-espace");
  await expect(agent).toHaveURL(/\/connexion\?retour=/);
});

test("Supprimer mon compte : mot de passe exigé, puis plus de connexion", async ({ page }) => {
  await loginAs(page, "julien.paul@demo.immat.fr");
  await page.goto("/mon-compte");
  await expect(page.getByRole("heading", { name: "Mon compte", level: 1 })).toBeVisible();
  const form = page.getByTestId("suppression-form");
  await form.getByLabel(/Mot de passe/).fill("pas-le-bon");
  await form.getByRole("button", { name: "Supprimer mon compte" }).click();
  await expect(page.locator("#mot_de_passe-desc-error")).toHaveText("Le mot de passe est incorrect.");
  await expect(form.getByLabel(/Mot de passe/)).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  await form.getByLabel(/Mot de passe/).fill("Demo-Immat-2026");
  await form.getByRole("button", { name: "Supprimer mon compte" }).click();
  await expect(page).toHaveURL(/\/connexion/);
  const login = new LoginPage(page);
  await login.goto();
  await login.login("julien.paul@demo.immat.fr");
  await expect(login.error).toBeVisible();
});

test("changer d'adresse électronique : le lien reçu à la nouvelle adresse la confirme", async ({ page, agent }) => {
  await loginAs(page, "julien.paul@demo.immat.fr");
  await page.goto("/mon-compte");
  await expect(page.getByRole("heading", { name: "Mon compte", level: 1 })).toBeVisible();
  const form = page.getByTestId("changement-adresse-form");
  await expect(form.getByRole("heading", { name: "Changer d'adresse électronique" })).toBeVisible();
  // Une adresse mal formée : l'erreur au champ, la saisie reste.
  await form.getByLabel(/Nouvelle adresse électronique/).fill("julien.nouveau@");
  await form.getByLabel(/Mot de passe/).fill("Demo-Immat-2026");
  await form.getByRole("button", { name: "Changer d'adresse électronique" }).click();
  await expect(form.getByLabel(/Nouvelle adresse électronique/)).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel(/Nouvelle adresse électronique/)).toHaveValue("julien.nouveau@");
  await expectAccessible(page);
  await form.getByLabel(/Nouvelle adresse électronique/).fill("julien.nouveau@exemple.fr");
  await form.getByLabel(/Mot de passe/).fill("Demo-Immat-2026");
  await form.getByRole("button", { name: "Changer d'adresse électronique" }).click();
  await expect(page.getByTestId("changement-adresse-envoye")).toContainText("Un e-mail vient d'être envoyé à la nouvelle adresse");
  // Rien ne change avant le lien.
  await expect(page.getByTestId("identite")).toContainText("julien.paul@demo.immat.fr");

  await loginAs(agent, AGENT);
  const lien = await lienRecu(agent, "julien.nouveau@exemple.fr", /Confirmez votre nouvelle adresse/);
  await page.goto(lien);
  await expect(page.getByTestId("compte-message")).toContainText("julien.nouveau@exemple.fr est maintenant l'adresse électronique");
  await expectAccessible(page);
  await page.goto("/mon-compte");
  await expect(page.getByTestId("identite")).toContainText("julien.nouveau@exemple.fr");
  // L'ancienne adresse a été prévenue.
  await agent.goto("/cert/envois");
  await expect(agent.getByTestId("envoi").filter({ hasText: "julien.paul@demo.immat.fr" }).filter({ hasText: /Votre adresse électronique a changé/ })).toHaveCount(1);
});

test("un professionnel déclare son habilitation, le CERT l'approuve : le compte devient certifié", async ({ page, agent }) => {
  await loginAs(page, "gestion@transports-martin.demo.immat.fr");
  // Le changement de titulaire exige un compte certifié : pour une société,
  // l'offre est de déclarer son habilitation (FranceConnect identifie des
  // personnes).
  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  const alerte = page.getByTestId("certification-requise");
  await expect(alerte).toContainText("nécessite un compte ANTS certifié");
  await expect(alerte.getByRole("link", { name: "Continuer avec FranceConnect" })).toHaveCount(0);
  await alerte.getByRole("link", { name: "Déclarer mon habilitation de professionnel" }).click();
  await expect(page.getByRole("heading", { name: "Mon compte", level: 1 })).toBeVisible();
  const section = page.getByTestId("habilitation");
  const form = page.getByTestId("habilitation-form");
  await expect(section.getByRole("heading", { name: "Habilitation de professionnel de l'automobile" })).toBeVisible();
  await expectAccessible(page);
  // Un SIRET d'une autre société : l'erreur au champ, la saisie reste.
  await form.getByLabel(/SIRET de l'établissement/).fill("356 000 000 00048");
  await form.getByLabel(/Numéro d'habilitation/).fill("HAB-75-2026-0042");
  await form.getByRole("button", { name: "Déclarer mon habilitation" }).click();
  await expect(form.getByLabel(/SIRET de l'établissement/)).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel(/Numéro d'habilitation/)).toHaveValue("HAB-75-2026-0042");
  await expect(form).toContainText("n'est pas celui d'un établissement de la société du compte");
  await expectAccessible(page);
  await form.getByLabel(/SIRET de l'établissement/).fill("732 829 320 00074");
  await form.getByRole("button", { name: "Déclarer mon habilitation" }).click();
  await expect(page.getByTestId("habilitation-etat")).toContainText("En attente de vérification par le CERT");
  await expect(page.getByTestId("habilitation-form")).toHaveCount(0);
  // En attente, le compte n'est pas encore certifié.
  await expect(page.getByTestId("identite")).toContainText("Compte ANTS");
  await expect(page.getByTestId("identite")).not.toContainText("certifié");

  await loginAs(agent, AGENT);
  await agent.getByRole("link", { name: "Habilitations de professionnels" }).click();
  await expect(agent.getByRole("heading", { name: "Habilitations de professionnels à vérifier", level: 1 })).toBeVisible();
  const demande = agent.getByTestId("habilitation").filter({ hasText: "73282932000074" });
  await expect(demande).toContainText("HAB-75-2026-0042");
  await expectAccessible(agent);
  await demande.getByRole("button", { name: "Approuver" }).click();
  await expect(agent.getByTestId("empty-state")).toContainText("Aucune demande en attente.");

  await page.reload();
  await expect(page.getByTestId("habilitation-etat")).toContainText("Approuvée");
  await expect(page.getByTestId("identite")).toContainText("Compte ANTS certifié");
  await expect(page.getByTestId("identite")).toContainText("Professionnel");
  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  await expect(page.getByLabel("Numéro d'immatriculation")).toBeVisible();
  await expect(page.getByTestId("certification-requise")).toHaveCount(0);
});
