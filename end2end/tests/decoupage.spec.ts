import { expect, JULIEN, LoginPage, test } from "./fixtures/app";

// Le wasm est découpé par route (scripts/wasm-split.mjs) : Mon Espace arrive
// dans ses propres modules, téléchargés en y entrant. Un module qui n'arrive
// pas ne doit pas figer la page.
const MODULE_MON_ESPACE = /\/immat-web-[0-9a-f]+\/split___mon_espace_view_[0-9]+\.wasm$/;

test("un module de page perdu en route est redemandé : Mon Espace s'affiche", async ({ page }) => {
  let coupures = 0;
  await page.route(MODULE_MON_ESPACE, async (route) => {
    if (coupures < 2) {
      coupures += 1;
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  const login = new LoginPage(page);
  await login.goto();
  await login.login(JULIEN.email);
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible();
  await expect(page.getByTestId("welcome")).toContainText(JULIEN.name);
  expect(coupures).toBe(2);
});

test("un module de page refusé trois fois : la page se recharge au lieu de se figer", async ({ page }) => {
  let refus = 0;
  await page.route(MODULE_MON_ESPACE, async (route) => {
    if (refus < 3) {
      refus += 1;
      await route.fulfill({ status: 503, body: "" });
    } else {
      await route.continue();
    }
  });
  let chargements = 0;
  page.on("load", () => {
    chargements += 1;
  });
  const login = new LoginPage(page);
  await login.goto();
  await login.login(JULIEN.email);
  // Après trois refus, la page se recharge sur /mon-espace ; le quatrième
  // essai passe.
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("welcome")).toContainText(JULIEN.name);
  await expect(page).toHaveURL(/\/mon-espace$/);
  expect(refus).toBe(3);
  expect(chargements).toBe(2);
});

test("un module d'une version retirée revient en page HTML : la page se recharge et repart", async ({ page }) => {
  // Le repli du SPA répond 200 avec index.html pour un fichier absent (un
  // onglet ouvert pendant une mise en production) : ce n'est pas un wasm.
  let remplaces = 0;
  await page.route(MODULE_MON_ESPACE, async (route) => {
    if (remplaces < 3) {
      remplaces += 1;
      await route.fulfill({ status: 200, contentType: "text/html", body: "<!DOCTYPE html><html></html>" });
    } else {
      await route.continue();
    }
  });
  let chargements = 0;
  page.on("load", () => {
    chargements += 1;
  });
  const login = new LoginPage(page);
  await login.goto();
  await login.login(JULIEN.email);
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("welcome")).toContainText(JULIEN.name);
  expect(remplaces).toBe(3);
  expect(chargements).toBe(2);
});

test("un module arrivé abîmé est redemandé sans recharger la page", async ({ page }) => {
  let abimes = 0;
  await page.route(MODULE_MON_ESPACE, async (route) => {
    if (abimes < 2) {
      abimes += 1;
      await route.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from("pas un module wasm") });
    } else {
      await route.continue();
    }
  });
  let chargements = 0;
  page.on("load", () => {
    chargements += 1;
  });
  const login = new LoginPage(page);
  await login.goto();
  await login.login(JULIEN.email);
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible();
  await expect(page.getByTestId("welcome")).toContainText(JULIEN.name);
  expect(abimes).toBe(2);
  expect(chargements).toBe(1);
});

test("un module toujours introuvable : un seul rechargement, puis un message et « Réessayer »", async ({ page }) => {
  let refus = 0;
  await page.route(MODULE_MON_ESPACE, async (route) => {
    refus += 1;
    await route.fulfill({ status: 503, body: "" });
  });
  let chargements = 0;
  page.on("load", () => {
    chargements += 1;
  });
  const login = new LoginPage(page);
  await login.goto();
  await login.login(JULIEN.email);
  const alerte = page.getByTestId("chargement-impossible");
  await expect(alerte).toBeVisible({ timeout: 15_000 });
  await expect(alerte).toHaveAttribute("role", "alert");
  await expect(alerte.getByRole("heading", { name: "Cette page n'a pas pu être chargée" })).toBeVisible();
  // Pas de boucle : la page s'est rechargée une fois, et s'en tient là.
  await page.waitForTimeout(3_000);
  expect(chargements).toBe(2);
  expect(refus).toBe(6);
  // Le serveur revient : « Réessayer » recharge et la page s'affiche.
  await page.unroute(MODULE_MON_ESPACE);
  await alerte.getByRole("button", { name: "Réessayer" }).click();
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible();
  await expect(page.getByTestId("welcome")).toContainText(JULIEN.name);
});
