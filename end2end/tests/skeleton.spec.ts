import { expect, expectAccessible, Header, JULIEN, loginAs, LoginPage, MARIE, resetDemo, tabTo, test } from "./fixtures/app";

// Registre et limites de tentatives remis à zéro avant chaque parcours.
test.beforeEach(async ({ page }) => {
  await resetDemo(page);
});

test("le bandeau de démonstration est visible sur l'accueil", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("demo-notice")).toHaveText("Environnement de démonstration — service non officiel");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(
    "Les démarches en ligne de votre certificat d'immatriculation",
  );
  await expectAccessible(page);
});

test("connexion d'un compte de démonstration : nom dans le menu, véhicules dans l'espace véhicule", async ({ page }) => {
  await page.goto("/");
  const header = new Header(page);
  await header.openMenuIfCollapsed();
  await page.getByRole("link", { name: "Mon Espace" }).locator("visible=true").first().click();
  // Page protégée : détour par la connexion.
  await expect(page).toHaveURL(/\/connexion\?retour=%2Fmon-espace$/);
  await expectAccessible(page);
  const login = new LoginPage(page);
  await login.login(JULIEN.email);
  await expect(page).toHaveURL(/\/mon-espace$/);
  await expect(page.getByTestId("welcome")).toContainText(JULIEN.name);
  await expect(await header.userName()).toHaveText(JULIEN.name);
  if (header.collapsed()) {
    await page.getByRole("button", { name: "Fermer" }).click();
  }
  await expectAccessible(page);

  await page.getByRole("link", { name: "Je refais ma carte grise (certificat d'immatriculation)" }).click();
  await expect(page).toHaveURL(/\/espace-vehicule$/);
  await expect(page.getByRole("heading", { name: "L'espace véhicule" })).toBeVisible();
  const plates = page.getByTestId("vehicle-plate");
  await expect(plates).toHaveText(["123 ABC 75", "AB-123-CD", "CD-456-EF"]);
  await expect(page.locator('[data-immatriculation="CD-456-EF"]')).toContainText("Gagé");
  await expect(page.locator('[data-immatriculation="AB-123-CD"]')).toContainText("Aucune démarche en cours pour ce véhicule.");
  await expectAccessible(page);
});

test("mauvais mot de passe : erreur au formulaire, l'adresse saisie est conservée", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.login(JULIEN.email, "mauvais-mot-de-passe");
  await expect(login.error).toContainText("Adresse électronique ou mot de passe incorrect.");
  await expect(login.email).toHaveValue(JULIEN.email);
  await expect(login.password).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#password-desc-error")).toHaveText("Adresse électronique ou mot de passe incorrect.");
  await expect(page).toHaveURL(/\/connexion$/);
  await expectAccessible(page);
});

test("adresse électronique mal formée : erreur au champ avant tout envoi", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  let loginCalls = 0;
  page.on("request", (r) => {
    if (r.url().endsWith("/api/v1/auth/login")) loginCalls++;
  });
  await login.login("julien.paul@", "x");
  await expect(page.locator("#email-desc-error")).toHaveText("L'adresse électronique doit être au format nom@domaine.fr.");
  await expect(login.email).toHaveAttribute("aria-invalid", "true");
  await expect(login.email).toBeFocused();
  await expect(login.email).toHaveValue("julien.paul@");
  expect(loginCalls).toBe(0);
  await expectAccessible(page);
});

test("une URL protégée sans session mène à la connexion puis y revient", async ({ page }) => {
  await page.goto("/espace-vehicule/demarche/complementaire");
  await expect(page).toHaveURL(/\/connexion\?retour=%2Fespace-vehicule%2Fdemarche%2Fcomplementaire$/);
  await new LoginPage(page).login(MARIE.email);
  await expect(page).toHaveURL(/\/espace-vehicule\/demarche\/complementaire$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Téléprocédure complémentaire");
  // Compte certifié : le premier écran de la TPC, le motif d'abord.
  await expect(page.getByRole("group", { name: "Le motif de la demande" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Démarrer la procédure" })).toBeEnabled();
  await expectAccessible(page);
});

test("Ajouter une demande : la liste des téléprocédures et l'erreur sans choix", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  await page.goto("/espace-vehicule");
  const select = page.getByLabel("Démarrer une nouvelle demande");
  await expect(select.locator("option:not([disabled])")).toHaveText([
    "Je change d'adresse",
    "Je déclare la cession de mon véhicule",
    "J'achète un véhicule d'occasion (changement de titulaire)",
    "Je souhaite obtenir un duplicata (perte, vol, détérioration)",
    "Je souhaite faire une autre demande",
  ]);
  await page.getByRole("button", { name: "Ajouter une demande" }).click();
  await expect(page.locator("#nouvelle-demande-desc-error")).toHaveText("Veuillez choisir une demande dans la liste.");
  await select.selectOption({ label: "Je souhaite faire une autre demande" });
  await page.getByRole("button", { name: "Ajouter une demande" }).click();
  await expect(page).toHaveURL(/\/espace-vehicule\/demarche\/complementaire$/);
  // Compte classique : la TPC demande un compte certifié, et le dit.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Téléprocédure complémentaire");
  await expect(page.getByRole("alert")).toContainText("compte ANTS certifié");
  await expect(page.getByRole("button", { name: "Démarrer la procédure" })).toBeDisabled();
  await expectAccessible(page);
});

test("connexion au clavier seul", async ({ page }) => {
  await page.goto("/connexion");
  await tabTo(page, page.getByLabel("Adresse électronique"));
  await page.keyboard.type(MARIE.email);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Mot de passe")).toBeFocused();
  await page.keyboard.type("Demo-Immat-2026");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/mon-espace$/);
  await expect(page.getByTestId("welcome")).toContainText(MARIE.name);
});

test("déconnexion : la session est détruite", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  const header = new Header(page);
  await header.openMenuIfCollapsed();
  await page.getByRole("button", { name: "Se déconnecter" }).locator("visible=true").first().click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/mon-espace");
  await expect(page).toHaveURL(/\/connexion\?retour=%2Fmon-espace$/);
});

test("service injoignable : message clair", async ({ page }) => {
  await loginAs(page, JULIEN.email);
  await page.route("**/api/v1/espace", (route) => route.abort("connectionrefused"));
  await page.getByRole("link", { name: "Je refais ma carte grise (certificat d'immatriculation)" }).click();
  await expect(page.getByTestId("error-alert")).toContainText("Le service est injoignable");
});

test("page inconnue : page non trouvée", async ({ page }) => {
  await page.goto("/nulle-part");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page non trouvée");
  await expectAccessible(page);
});

test("trop de mots de passe erronés : connexion bloquée avec un message clair, même avec le bon", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  const envoi = () => page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login"));
  for (let i = 0; i < 5; i++) {
    const reponse = envoi();
    await login.login(JULIEN.email, "mauvais-mot-de-passe");
    expect((await reponse).status()).toBe(401);
    await expect(login.error).toContainText("Adresse électronique ou mot de passe incorrect");
  }
  const reponse = envoi();
  await login.login(JULIEN.email);
  expect((await reponse).status()).toBe(429);
  await expect(login.error).toContainText("Trop de tentatives de connexion");
  await expect(login.error).toContainText("15 minutes");
  await expect(page).toHaveURL(/\/connexion/);
  await expect(login.email).toHaveValue(JULIEN.email);
  await expectAccessible(page);
});
