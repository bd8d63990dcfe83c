import { Page, Route } from "@playwright/test";
import { expect, JULIEN, LoginPage, test } from "./fixtures/app";

// Le wasm est découpé par route (scripts/wasm-split.mjs) : Mon Espace arrive
// dans ses propres modules, téléchargés en y entrant. Un module qui n'arrive
// pas ne doit pas figer la page.
const MODULE_MON_ESPACE = /\/immat-web-[0-9a-f]+\/split___mon_espace_view_[0-9]+\.wasm$/;

/**
 * Les `n` premières demandes du module de Mon Espace reçoivent `panne`
 * (toutes si `n` vaut Infinity), les suivantes le vrai fichier. Rend le
 * nombre de pannes servies et de chargements complets de la page.
 */
async function panneDuModule(page: Page, n: number, panne: (route: Route) => Promise<void>) {
  const compte = { pannes: 0, chargements: 0 };
  await page.route(MODULE_MON_ESPACE, async (route) => {
    if (compte.pannes < n) {
      compte.pannes += 1;
      await panne(route);
    } else {
      await route.continue();
    }
  });
  page.on("load", () => {
    compte.chargements += 1;
  });
  return compte;
}

async function seConnecter(page: Page) {
  const login = new LoginPage(page);
  await login.goto();
  await login.login(JULIEN.email);
}

async function monEspaceAffiche(page: Page, timeout = 5_000) {
  await expect(page.getByRole("heading", { name: "Mon Espace", exact: true, level: 1 })).toBeVisible({ timeout });
  await expect(page.getByTestId("welcome")).toContainText(JULIEN.name);
}

test("un module de page perdu en route est redemandé : Mon Espace s'affiche", async ({ page }) => {
  const compte = await panneDuModule(page, 2, (route) => route.abort("connectionreset"));
  await seConnecter(page);
  await monEspaceAffiche(page);
  expect(compte).toEqual({ pannes: 2, chargements: 1 });
});

test("un module de page refusé trois fois : la page se recharge au lieu de se figer", async ({ page }) => {
  const compte = await panneDuModule(page, 3, (route) => route.fulfill({ status: 503, body: "" }));
  await seConnecter(page);
  // Après trois refus, la page se recharge sur /mon-espace ; le quatrième
  // essai passe.
  await monEspaceAffiche(page, 15_000);
  await expect(page).toHaveURL(/\/mon-espace$/);
  expect(compte).toEqual({ pannes: 3, chargements: 2 });
});

test("un module d'une version retirée revient en page HTML : la page se recharge et repart", async ({ page }) => {
  // Le repli du SPA répond 200 avec index.html pour un fichier absent (un
  // onglet ouvert pendant une mise en production) : ce n'est pas un wasm.
  const compte = await panneDuModule(page, 3, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!DOCTYPE html><html></html>" }),
  );
  await seConnecter(page);
  await monEspaceAffiche(page, 15_000);
  expect(compte).toEqual({ pannes: 3, chargements: 2 });
});

test("un module arrivé abîmé est redemandé sans recharger la page", async ({ page }) => {
  const compte = await panneDuModule(page, 2, (route) =>
    route.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from("pas un module wasm") }),
  );
  await seConnecter(page);
  await monEspaceAffiche(page);
  expect(compte).toEqual({ pannes: 2, chargements: 1 });
});

test("un module toujours introuvable : un seul rechargement, puis un message et « Réessayer »", async ({ page }) => {
  const compte = await panneDuModule(page, Infinity, (route) => route.fulfill({ status: 503, body: "" }));
  await seConnecter(page);
  const alerte = page.getByTestId("chargement-impossible");
  await expect(alerte).toBeVisible({ timeout: 15_000 });
  await expect(alerte).toHaveAttribute("role", "alert");
  await expect(alerte.getByRole("heading", { name: "Cette page n'a pas pu être chargée" })).toBeVisible();
  // Pas de boucle : la page s'est rechargée une fois, et s'en tient là
  // (trois essais avant, trois après).
  await page.waitForTimeout(3_000);
  expect(compte).toEqual({ pannes: 6, chargements: 2 });
  // Le serveur revient : « Réessayer » recharge et la page s'affiche.
  await page.unroute(MODULE_MON_ESPACE);
  await alerte.getByRole("button", { name: "Réessayer" }).click();
  await monEspaceAffiche(page);
});
