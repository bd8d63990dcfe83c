import { defineConfig, devices } from "@playwright/test";
import { chromium } from "./chromium";
import { RESET_TOKEN } from "./tests/fixtures/env";

// Deux instances du serveur Immat sur une même base PostgreSQL, sans rien
// d'autre en commun (chacune sa mémoire ; le dossier des pièces jointes est
// partagé, comme un volume monté des deux côtés). La commande de test démarre
// un PostgreSQL jetable et donne l'URL de la base dans IMMAT_E2E_POSTGRES.
const POSTGRES = process.env.IMMAT_E2E_POSTGRES;
if (!POSTGRES) throw new Error("IMMAT_E2E_POSTGRES : l'URL de la base PostgreSQL des deux instances");
export const PORT_A = Number(process.env.IMMAT_E2E_PORT_A ?? 8092);
export const PORT_B = Number(process.env.IMMAT_E2E_PORT_B ?? 8093);
const SERVER = process.env.IMMAT_E2E_SERVER ?? "../target/debug/immat-server";
const DATA_DIR = process.env.IMMAT_E2E_DATA_DIR_PARTAGE ?? "../target/e2e-data-deux-instances";


function instance(port: number) {
  const base = `http://127.0.0.1:${port}`;
  return {
    command: `mkdir -p ${DATA_DIR} && ${SERVER} --listen 127.0.0.1:${port} --data-dir ${DATA_DIR} --dist-dir ../dist --demo true`,
    env: {
      IMMAT_DATABASE_URL: POSTGRES!,
      IMMAT_TEST_RESET_TOKEN: RESET_TOKEN,
      IMMAT_URL_PUBLIQUE: base,
    },
    url: `${base}/api/v1/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
  };
}

export default defineConfig({
  testDir: "./deux-instances",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: { baseURL: `http://127.0.0.1:${PORT_A}`, trace: "retain-on-failure", locale: "fr-FR", launchOptions: chromium },
  projects: [
    { name: "bureau", use: { ...devices["Desktop Chrome"], launchOptions: chromium } },
    { name: "tablette", use: { ...devices["Galaxy Tab S4"], browserName: "chromium", launchOptions: chromium } },
  ],
  webServer: [instance(PORT_A), instance(PORT_B)],
});
