import { DEMO_PASSWORD, expect, expectAccessible, loginAs, resetDemo, test } from "./fixtures/app";

// Une société qui n'est pas un professionnel de l'automobile : son
// représentant légal s'identifie avec FranceConnect, le CERT vérifie qu'il la
// représente ; le compte devient certifié et ses véhicules inscrits à son
// SIREN le rejoignent.

const SOCIETE = "gestion@transports-martin.demo.immat.fr";
const AGENT = "agent.cert@demo.immat.fr";

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

test("une société certifie son compte par son représentant légal (FranceConnect, puis le CERT) et atteint le changement de titulaire", async ({
  page,
  agent,
}) => {
  await loginAs(page, SOCIETE);
  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  await expect(page.getByTestId("certification-requise")).toContainText("nécessite un compte ANTS certifié");

  await page.goto("/mon-compte");
  await expect(page.getByRole("heading", { name: "Mon compte", level: 1 })).toBeVisible();
  const form = page.getByTestId("certification-form");
  await expect(form.getByRole("heading", { name: "Certifier le compte de la société par son représentant légal" })).toBeVisible();
  await expectAccessible(page);
  await form.getByLabel(/Mot de passe/).fill(DEMO_PASSWORD);
  await form.getByRole("button", { name: "Continuer avec FranceConnect" }).click();
  await expect(page.getByRole("heading", { name: "Fournisseur d'identité de test", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: /Se connecter en tant que Angela Claire Louise DUBOIS/ }).click();
  await expect(page).toHaveURL(/\/mon-compte\?franceconnect=representant$/);
  await expect(page.getByTestId("representant-confirme")).toContainText("Identité du représentant légal confirmée");
  await expect(page.getByTestId("habilitation-etat")).toContainText("En attente de vérification par le CERT");
  await expect(page.getByTestId("habilitation-etat")).toContainText("Angela Claire Louise DUBOIS");
  // Le compte reste celui de la société, non certifié tant que le CERT n'a pas vérifié.
  await expect(page.getByTestId("identite")).toContainText(SOCIETE);
  await expect(page.getByTestId("identite")).toContainText("Compte ANTS");
  await expect(page.getByTestId("identite")).not.toContainText("certifié");
  await expect(page.getByTestId("certification-form")).toHaveCount(0);
  await expectAccessible(page);

  await loginAs(agent, AGENT);
  await agent.goto("/cert/habilitations");
  const demande = agent.getByTestId("habilitation").filter({ hasText: "TRANSPORTS MARTIN" });
  await expect(demande.getByTestId("nature")).toHaveText("Certification par le représentant légal");
  await expect(demande.getByTestId("representant")).toContainText("Angela Claire Louise DUBOIS, né(e) le 24/08/1962");
  await expectAccessible(agent);
  await demande.getByRole("button", { name: "Approuver" }).click();
  await expect(agent.getByTestId("empty-state")).toContainText("Aucune demande en attente.");

  // La société : certifiée, sa seconde camionnette (inscrite à son SIREN)
  // est dans « Mes véhicules », le changement de titulaire s'ouvre.
  await page.goto("/mon-compte");
  await expect(page.getByTestId("identite")).toContainText("Compte ANTS certifié");
  await page.goto("/espace-vehicule");
  await expect(page.getByRole("heading", { name: "L'espace véhicule", level: 1 })).toBeVisible();
  await expect(page.locator('[data-immatriculation="SP-700-CT"]')).toContainText("JUMPY");
  await page.goto("/espace-vehicule/demarche/changement-titulaire");
  await expect(page.getByLabel("Numéro d'immatriculation")).toBeVisible();
  await expect(page.getByTestId("certification-requise")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Démarrer la procédure" })).toBeEnabled();
  await expectAccessible(page);
});
