import { Page } from "@playwright/test";
import { expect, expectAccessible, JULIEN, loginAs, resetDemo, tabTo, telecharger, test, Wizard } from "./fixtures/app";

// Un usager qui n'est pas dans les données de démonstration : ses véhicules
// sont au registre, pas à son compte. Le code confidentiel (compte
// classique) ou l'identité FranceConnect (compte certifié) les y amène.

const AGENT = "agent.cert@demo.immat.fr";
const MDP = "cheval agrafe batterie 7";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

/** Crée un compte classique par les écrans, le confirme par le lien reçu, se connecte. */
async function creerCompte(page: Page, agent: Page, email: string) {
  await page.goto("/inscription");
  await expect(page.getByRole("heading", { name: "Créer un compte", level: 1 })).toBeVisible();
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel("Mot de passe").fill(MDP);
  await page.locator("label", { hasText: "Madame" }).click();
  await page.getByLabel("Nom (obligatoire)", { exact: true }).fill("Moreau");
  await page.getByLabel("Prénoms").fill("Camille");
  await page.locator("label", { hasText: "Un particulier (personne physique)" }).click();
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await expect(page.getByTestId("compte-message")).toContainText("un e-mail vient d'y être envoyé");
  await loginAs(agent, AGENT);
  await agent.goto("/cert/envois");
  const mail = agent.getByTestId("envoi").filter({ hasText: email }).filter({ hasText: /Confirmez votre adresse/ }).first();
  await expect(mail).toBeVisible();
  const corps = await mail.getByTestId("corps").innerText();
  const m = corps.match(/https?:\/\/\S+?(\/[a-z-]+\?jeton=[0-9a-f]+)/);
  expect(m, corps).not.toBeNull();
  await page.goto(m![1]);
  await expect(page.getByTestId("compte-message")).toContainText("Votre adresse électronique est confirmée");
  await loginAs(page, email, MDP);
  await expect(page.getByTestId("welcome")).toContainText("Camille MOREAU");
}

async function espaceVehicule(page: Page) {
  await page.goto("/espace-vehicule");
  await expect(page.getByRole("heading", { name: "L'espace véhicule", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Mes véhicules", level: 2 })).toBeVisible();
}

test("un compte classique créé aujourd'hui change l'adresse de son véhicule avec son code ; le véhicule rejoint « Mes véhicules »", async ({
  page,
  agent,
}) => {
  await creerCompte(page, agent, "camille.moreau@exemple.fr");
  await espaceVehicule(page);
  await expect(page.getByTestId("empty-state")).toContainText("Aucun véhicule n'est rattaché à votre compte");
  await expectAccessible(page);

  const w = new Wizard(page);
  // Un code faux : l'erreur au champ du code, la saisie reste.
  await w.start("changement-adresse", "NV-500-AA", { code: "ZZZZ-ZZZZ" });
  const code = page.getByLabel("Code confidentiel");
  await expect(code).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(/Le code confidentiel est erroné/)).toBeVisible();
  await expect(page.getByLabel("Numéro d'immatriculation")).toHaveValue("NV-500-AA");
  await expectAccessible(page);
  // Le bon code : la démarche démarre sur son véhicule.
  await code.fill("NV5A-A6BC");
  await page.getByRole("button", { name: "Démarrer la procédure" }).click();
  await expect(w.stepper).toContainText("Étape 2 sur 4");
  await expect(page.getByTestId("titulaire-actuel")).toContainText("Camille MOREAU");
  await w.fillAddress({ voie: "3 rue Nationale", cp: "59000", commune: "Lille" });
  await w.continue();
  await expect(w.stepper).toContainText("Étape 3 sur 4");
  await w.continue();
  await expect(w.stepper).toContainText("Étape 4 sur 4");
  await w.tickClu();
  await w.validate();
  await expect(page.getByTestId("demande-terminee")).toContainText("La demande est terminée.");

  await espaceVehicule(page);
  const carte = page.locator('[data-immatriculation="NV-500-AA"]');
  await expect(carte).toContainText("MEGANE");
  await expect(carte).toContainText("3 RUE NATIONALE, 59000 LILLE");
  await expect(page.getByTestId("empty-state")).toHaveCount(0);
  await expectAccessible(page);
});

test("« Ajouter un véhicule » au clavier seul : code faux dit au champ, puis le véhicule rejoint la liste", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  await espaceVehicule(page);
  const form = page.getByTestId("ajout-vehicule-form");
  await expect(page.getByRole("heading", { name: "Ajouter un véhicule", level: 2 })).toBeVisible();
  await expectAccessible(page);
  const immat = form.getByLabel("Numéro d'immatriculation");
  const code = form.getByLabel("Code confidentiel");
  const bouton = form.getByRole("button", { name: "Ajouter le véhicule" });
  await tabTo(page, immat, 120);
  await page.keyboard.type("nv600bb");
  await page.keyboard.press("Tab");
  await expect(code).toBeFocused();
  await page.keyboard.type("ZZZZ-ZZZZ");
  await page.keyboard.press("Tab");
  await expect(bouton).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(code).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText(/Le code confidentiel est erroné/)).toBeVisible();
  await expect(immat).toHaveValue("nv600bb");
  await expectAccessible(page);
  // Corrigé au clavier : le champ du code, effacé, puis le bon code.
  await code.focus();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("NV6B-B7CD");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("vehicule-ajoute")).toContainText("Le véhicule NV-600-BB a été ajouté à « Mes véhicules ».");
  await expect(page.locator('[data-immatriculation="NV-600-BB"]')).toContainText("PEUGEOT 3008");
  await expect(page.locator('[data-immatriculation="AB-123-CD"]')).toBeVisible();
  await expectAccessible(page);
});

test("première connexion FranceConnect : les véhicules de l'identité sont là, et un duplicata se fait sans code", async ({ page }) => {
  await page.goto("/connexion");
  await expect(page.getByRole("heading", { name: "Connexion à Mon Espace", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: /S’identifier avec FranceConnect/ }).click();
  await expect(page.getByRole("heading", { name: "Fournisseur d'identité de test", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: /Se connecter en tant que Lucía GARCÍA PÉREZ/ }).click();
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible();

  await espaceVehicule(page);
  // Le registre inscrit « GARCIA PEREZ LUCIA », née le 03/11/1990 en Espagne.
  const carte = page.locator('[data-immatriculation="FC-303-LG"]');
  await expect(carte).toContainText("SEAT IBIZA");
  await expect(page.getByTestId("vehicle-card")).toHaveCount(1);
  await expectAccessible(page);

  const w = new Wizard(page);
  await page.goto("/espace-vehicule/demarche/duplicata");
  await expect(page.getByLabel("Numéro d'immatriculation")).toBeVisible();
  await expect(page.getByLabel("Code confidentiel")).toHaveCount(0);
  await w.start("duplicata", "FC-303-LG");
  await expect(w.stepper).toContainText("Motif de la demande");
  await page.locator("label", { hasText: "Perte du certificat d'immatriculation" }).click();
  await page.locator("label", { hasText: "Le titulaire du certificat" }).click();
  await w.continue();
  await expect(w.stepper).toContainText("Récapitulatif");
  await w.tickClu();
  await w.validate();
  await w.payerParCarte("13,76 €");
  const cpi = await telecharger(page, /Certificat provisoire d'immatriculation/);
  expect(cpi).toContain("FC-303-LG");
  expect(cpi).toContain("GARCIA PEREZ");
});
