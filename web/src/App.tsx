import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";

import { ConnectionBanner } from "./components/ConnectionBanner";
import { EmailVerifyBanner } from "./components/EmailVerifyBanner";
import { NoticeBanners } from "./components/NoticeBanners";
import { Header } from "./components/Header";
import { useMe } from "./hooks";
import { LocaleProvider, useLocale } from "./i18n/LocaleContext";
import { CanvasPage } from "./pages/CanvasPage";
import { CreditsPage } from "./pages/CreditsPage";
import { ExternalSignInPage } from "./pages/ExternalSignInPage";
import { GalleryPage } from "./pages/GalleryPage";
import { GeneratePage } from "./pages/GeneratePage";
import { ImageDetailPage } from "./pages/ImageDetailPage";
import { LandingPage } from "./pages/LandingPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PricingPage } from "./pages/PricingPage";
import { QueuePage } from "./pages/QueuePage";
import { SharedPage } from "./pages/SharedPage";
import { SharesPage } from "./pages/SharesPage";
import { SignInPage } from "./pages/SignInPage";
import { SignUpPage } from "./pages/SignUpPage";
import { matchPath, navigate, usePath } from "./router";
import { createServices, ServicesProvider, useServices, useSignedIn, type Services } from "./services";

// Not in the first load: the account page (with its QR encoder) and the admin area.
const AccountPage = lazy(() => import("./pages/AccountPage"));
const AdminApp = lazy(() => import("./pages/admin/AdminApp"));
// Billing and the pages email links open: loaded when visited.
const BillingPage = lazy(() => import("./pages/BillingPage"));
const BillingReturnPage = lazy(() => import("./pages/BillingReturnPage"));
const VerifyEmailPage = lazy(() => import("./pages/VerifyEmailPage"));
const ForgotPasswordPage = lazy(() => import("./pages/ForgotPasswordPage"));
const ResetPasswordPage = lazy(() => import("./pages/ResetPasswordPage"));
// Workflows and LoRAs (issue 11): loaded when visited.
const WorkflowsPage = lazy(() => import("./pages/WorkflowsPage"));
const WorkflowRunPage = lazy(() => import("./pages/WorkflowRunPage"));
const LorasPage = lazy(() => import("./pages/LorasPage"));
// The developer pages (issue 13): loaded when visited.
const KeysPage = lazy(() => import("./pages/developer/KeysPage"));
const WebhooksPage = lazy(() => import("./pages/developer/WebhooksPage"));
const WebhookDetailPage = lazy(() => import("./pages/developer/WebhookDetailPage"));

/** `services` is for tests; the app makes its own. */
export function App({ services: given }: { services?: Services } = {}) {
  const [services] = useState(() => given ?? createServices());
  return (
    <ServicesProvider services={services}>
      <QueryClientProvider client={services.queries}>
        <LocaleProvider>
          <Shell />
        </LocaleProvider>
      </QueryClientProvider>
    </ServicesProvider>
  );
}

const privatePaths = ["/generate", "/canvas", "/queue", "/gallery", "/credits", "/account", "/admin", "/billing", "/workflows", "/loras", "/shares", "/developer"];

function Shell() {
  const { client, live, queries } = useServices();
  const { t, locale, setLocale } = useLocale();
  const signedIn = useSignedIn();
  const path = usePath();
  const me = useMe();

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  // The account's language wins over the browser's and the remembered one, on sign-in and on load.
  const accountLanguage = me.data?.language;
  useEffect(() => {
    if (accountLanguage === "ko" || accountLanguage === "en") {
      setLocale(accountLanguage);
    }
  }, [accountLanguage, setLocale]);

  // The hub refused the token and refreshing failed (signed out everywhere, suspended): sign in again.
  useEffect(() => live.onSessionRefused(() => navigate("/signin", true)), [live]);

  // One hub connection while signed in; finished jobs move credits and fill the gallery.
  useEffect(() => {
    if (!signedIn) {
      live.stop();
      // The last user's data goes; the public plans and shared links stay (clearing them under a mounted page would leave it loading).
      queries.removeQueries({ predicate: (query) => query.queryKey[0] !== "plans" && query.queryKey[0] !== "publicShare" });
      return;
    }
    live.start(client);
    const off = live.onFinished(() => {
      void queries.invalidateQueries({ queryKey: ["me"] });
      void queries.invalidateQueries({ queryKey: ["images"] });
      void queries.invalidateQueries({ queryKey: ["ledger"] });
      void queries.invalidateQueries({ queryKey: ["notices"] });
    });
    return off;
  }, [signedIn, client, live, queries]);

  const needsSignIn = !signedIn && privatePaths.some((p) => path === p || path.startsWith(`${p}/`));
  useEffect(() => {
    if (needsSignIn) {
      navigate(`/signin?next=${encodeURIComponent(path)}`, true);
    }
  }, [needsSignIn, path]);

  // A share link's public page stands alone: no header of the app, no session needed.
  const shared = matchPath("/s/:token", path);
  if (shared) {
    return <main id="main" tabIndex={-1}><SharedPage token={shared.token} /></main>;
  }

  return (
    <>
      <a className="skip-link" href="#main">{t("nav.skip")}</a>
      <Header />
      {signedIn ? <EmailVerifyBanner /> : null}
      {signedIn ? <NoticeBanners /> : null}
      <main id="main" tabIndex={-1}>
        {needsSignIn ? null : (
          <Suspense fallback={<p className="muted">{t("common.loading")}</p>}>
            <Page path={path} />
          </Suspense>
        )}
      </main>
      <ConnectionBanner />
    </>
  );
}

function Page({ path }: { path: string }) {
  if (path === "/") return <LandingPage />;
  if (path === "/pricing") return <PricingPage />;
  if (path === "/signin") return <SignInPage />;
  if (path === "/signup") return <SignUpPage />;
  if (path === "/signin/external") return <ExternalSignInPage />;
  if (path === "/generate") return <GeneratePage />;
  if (path === "/canvas") return <CanvasPage />;
  if (path === "/queue") return <QueuePage />;
  if (path === "/gallery") return <GalleryPage />;
  if (path === "/credits") return <CreditsPage />;
  if (path === "/account") return <AccountPage />;
  if (path === "/billing") return <BillingPage />;
  if (path === "/billing/return") return <BillingReturnPage />;
  if (path === "/verify-email") return <VerifyEmailPage />;
  if (path === "/forgot-password") return <ForgotPasswordPage />;
  if (path === "/reset-password") return <ResetPasswordPage />;
  if (path === "/admin" || path.startsWith("/admin/")) return <AdminApp path={path} />;
  if (path === "/workflows") return <WorkflowsPage />;
  if (path === "/loras") return <LorasPage />;
  if (path === "/shares") return <SharesPage />;
  if (path === "/developer" || path === "/developer/keys") return <KeysPage />;
  if (path === "/developer/webhooks") return <WebhooksPage />;
  const webhook = matchPath("/developer/webhooks/:id", path);
  if (webhook) return <WebhookDetailPage id={webhook.id} />;
  const workflow = matchPath("/workflows/:id", path);
  if (workflow) return <WorkflowRunPage id={workflow.id} />;
  const image = matchPath("/gallery/:id", path);
  if (image) return <ImageDetailPage id={image.id} />;
  return <NotFoundPage />;
}
