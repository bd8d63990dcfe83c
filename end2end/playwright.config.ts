import { defineConfig, devices } from "@playwright/test";
import { chromium } from "./chromium";
import { RESET_TOKEN } from "./tests/fixtures/env";

// Le serveur Immat (binaire de débogage) sert l'API et le SPA construit
// (dist/) sur une base SQLite neuve, créée à chaque lancement.
const PORT = Number(process.env.IMMAT_E2E_PORT ?? 8090);
const BASE_URL = `http://127.0.0.1:${PORT}`;
const SERVER = process.env.IMMAT_E2E_SERVER ?? "../target/debug/immat-server";
const DATA_DIR = process.env.IMMAT_E2E_DATA_DIR ?? "../target/e2e-data";
// Le fournisseur d'identité local qui imite FranceConnect (paquet npm
// `oidc-provider`, tools/franceconnect-local), sur son propre port.
const FC_PORT = Number(process.env.IMMAT_E2E_FC_PORT ?? 4011);
const FC_URL = `http://127.0.0.1:${FC_PORT}`;
const FC_SECRET = "immat-e2e-secret-0123456789abcdef";


export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    locale: "fr-FR",
    launchOptions: chromium,
  },
  projects: [
    { name: "bureau", use: { ...devices["Desktop Chrome"], launchOptions: chromium } },
    // Tablette d'un professionnel de l'automobile, en Chromium.
    { name: "tablette", use: { ...devices["Galaxy Tab S4"], browserName: "chromium", launchOptions: chromium } },
  ],
  webServer: [
    {
      command: "node ../tools/franceconnect-local/server.mjs",
      env: {
        FC_LOCAL_PORT: String(FC_PORT),
        FC_LOCAL_CLIENT_ID: "immat-e2e",
        FC_LOCAL_CLIENT_SECRET: FC_SECRET,
        FC_LOCAL_REDIRECT_URIS: `${BASE_URL}/api/v1/auth/franceconnect/retour`,
        FC_LOCAL_POST_LOGOUT_URIS: `${BASE_URL}/connexion`,
      },
      url: `${FC_URL}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // Démonstration et réinitialisation par jeton : explicitement, pour les
      // parcours seulement (le binaire démarre sans l'une ni l'autre).
      command: `rm -rf ${DATA_DIR} && ${SERVER} --listen 127.0.0.1:${PORT} --data-dir ${DATA_DIR} --dist-dir ../dist --demo true`,
      env: {
        IMMAT_TEST_RESET_TOKEN: RESET_TOKEN,
        IMMAT_URL_PUBLIQUE: BASE_URL,
        IMMAT_FC_EMETTEUR: FC_URL,
        IMMAT_FC_CLIENT_ID: "immat-e2e",
        IMMAT_FC_CLIENT_SECRET: FC_SECRET,
      },
      url: `${BASE_URL}/api/v1/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
