import { expect, Header, JULIEN, LoginPage, loginAs, MARIE, resetDemo, test, Wizard } from "../tests/fixtures/app";
import { PORT_B } from "../playwright.deux-instances.config";

// Deux instances sur une même base PostgreSQL : A (baseURL) et B. Le cookie de
// session vaut pour 127.0.0.1 quel que soit le port, comme derrière un proxy
// inverse qui répartit les requêtes : le navigateur passe de l'une à l'autre.
const B = `http://127.0.0.1:${PORT_B}`;

test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

test("une démarche commencée sur une instance se termine sur l'autre", async ({ page }) => {
  await loginAs(page, MARIE.email);
  const w = new Wizard(page);
  await w.start("changement-adresse", "EF-789-GH");
  await expect(w.stepper).toContainText("Étape 2 sur 4");
  await w.fillAddress({ voie: "1 rue de la Paix", cp: "75002", commune: "Paris" });
  await w.continue();
  await expect(w.stepper).toContainText("Étape 3 sur 4");

  // Sur B : la même session, la démarche en cours, reprise où elle en était.
  await page.goto(`${B}/espace-vehicule`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.locator('[data-immatriculation="EF-789-GH"]').getByRole("link", { name: "Reprendre la demande en cours" }).click();
  await expect(w.stepper).toContainText("Étape 3 sur 4");
  await expect(page.getByTestId("adresse-verifiee")).toContainText("PARIS");
  expect(new URL(page.url()).port).toBe(String(PORT_B));
  await w.continue();
  await expect(w.stepper).toContainText("Étape 4 sur 4");
  await w.tickClu();
  await w.validate();
  await expect(page.getByTestId("demande-terminee")).toContainText("La demande est terminée.");

  // Sur A : le registre porte la nouvelle adresse.
  await page.goto("/espace-vehicule");
  await expect(page.locator('[data-immatriculation="EF-789-GH"]')).toContainText("1 RUE DE LA PAIX, 75002 PARIS");

  // Déconnexion sur B : A ne reconnaît plus la session.
  await page.goto(`${B}/mon-espace`);
  await expect(page.getByRole("heading", { name: "Mon Espace", level: 1 })).toBeVisible();
  await new Header(page).openMenuIfCollapsed();
  await page.getByRole("button", { name: "Se déconnecter" }).locator("visible=true").first().click();
  await expect(page).toHaveURL(`${B}/`);
  await page.goto("/mon-espace");
  await expect(page).toHaveURL(/:\d+\/connexion\?retour=%2Fmon-espace$/);
  expect(new URL(page.url()).port).not.toBe(String(PORT_B));
});

test("les mots de passe erronés comptent sur les deux instances", async ({ page }) => {
  // Cinq échecs, alternés entre A et B.
  for (let i = 0; i < 5; i++) {
    const base = i % 2 === 0 ? "" : B;
    const r = await page.request.post(`${base}/api/v1/auth/login`, { data: { email: JULIEN.email, password: "mauvais" } });
    expect(r.status(), `essai ${i}`).toBe(401);
  }
  // Sur B, avec le bon mot de passe : bloqué, avec le message clair.
  const login = new LoginPage(page);
  await page.goto(`${B}/connexion`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await login.login(JULIEN.email);
  await expect(login.error).toContainText("Trop de tentatives de connexion");
  await expect(page).toHaveURL(/\/connexion/);
});
