// Friendly words for a problem, by its stable code; never the raw server text in Korean.
import { translate, type Locale } from "../i18n/i18n";
import { formatCredits } from "../i18n/format";
import type { ApiProblem } from "../api/problem";

export interface ProblemText {
  text: string;
  /** Where the user can fix it. */
  link?: "pricing" | "signin" | "billing";
}

export interface ProblemContext {
  /** The plan that unlocks the model or feature the request needed, by name. */
  unlockingPlan?: string;
}

const featurePlans: Record<string, string> = { canvas: "Starter", upscale: "Starter", workflows: "Starter", loras: "Pro", control: "Pro" };

export function problemText(locale: Locale, problem: ApiProblem, context: ProblemContext = {}): ProblemText {
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate(locale, key, params);
  switch (problem.code) {
    case "network_error":
      return { text: t("problem.network") };
    case "insufficient_credits":
      return problem.needed !== undefined && problem.balance !== undefined
        ? { text: t("problem.insufficientCreditsDetail", { needed: formatCredits(locale, problem.needed), balance: formatCredits(locale, problem.balance) }), link: "pricing" }
        : { text: t("problem.insufficientCredits"), link: "pricing" };
    case "plan_forbids_model":
      return { text: context.unlockingPlan ? t("problem.planForbidsModelPlan", { plan: context.unlockingPlan }) : t("problem.planForbidsModel"), link: "pricing" };
    case "plan_forbids_feature": {
      const plan = context.unlockingPlan ?? featurePlans[problem.feature ?? ""] ?? "Starter";
      return { text: t("problem.planForbidsFeature", { plan }), link: "pricing" };
    }
    case "plan_limit":
      return { text: t("problem.planLimit"), link: "pricing" };
    case "storage_quota_exceeded":
      return { text: t("problem.storageQuota"), link: "pricing" };
    case "rate_limited":
    case "queue_limit":
      if (problem.retryAfterSeconds !== undefined) {
        return { text: t("problem.retryIn", { seconds: problem.retryAfterSeconds }) };
      }
      return { text: t(problem.code === "queue_limit" ? "problem.queueLimit" : "problem.rateLimited") };
    case "model_unavailable":
      return { text: t("problem.modelUnavailable") };
    case "invalid_credentials":
      return { text: t("problem.invalidCredentials") };
    case "unauthorized":
    case "invalid_refresh_token":
      return { text: t("problem.signedOut"), link: "signin" };
    case "email_taken":
      return { text: t("problem.emailTaken") };
    case "validation_failed":
      return { text: t("problem.validation") };
    case "invalid_image":
      return { text: t("problem.invalidImage") };
    case "image_too_large":
      return { text: t("problem.imageTooLarge") };
    case "upload_too_large":
      return { text: t("problem.uploadTooLarge") };
    case "unsupported_media_type":
      return { text: t("problem.unsupportedMedia") };
    case "totp_required":
      return { text: t("problem.totpRequired") };
    case "invalid_code":
      return { text: t("problem.invalidCode") };
    case "invalid_challenge":
      return { text: t("problem.invalidChallenge") };
    case "wrong_password":
      return { text: t("problem.wrongPassword") };
    case "account_suspended":
      return { text: t("problem.accountSuspended") };
    case "forbidden":
      return { text: t("problem.forbidden") };
    case "totp_already_enrolled":
      return { text: t("problem.totpAlreadyEnrolled") };
    case "totp_not_enrolling":
      return { text: t("problem.totpNotEnrolling") };
    case "adjustment_exceeds_balance":
      return { text: t("problem.adjustmentExceedsBalance") };
    case "idempotency_key_reused":
      return { text: t("problem.idempotencyKeyReused") };
    case "image_in_use":
    case "upload_in_use":
      return { text: t("problem.imageInUse") };
    case "invalid_image_reference":
      return { text: t("problem.invalidImageReference") };
    case "not_found":
      return { text: t("problem.notFound") };
    case "unavailable":
      return { text: t("problem.unavailable") };
    case "billing_unavailable":
      return { text: t("problem.billingUnavailable") };
    case "billing_provider_error":
      return { text: t("problem.billingProviderError") };
    case "no_subscription":
      return { text: t("problem.noSubscription"), link: "pricing" };
    case "already_subscribed":
      return { text: t("problem.alreadySubscribed"), link: "billing" };
    case "invalid_product":
      return { text: t("problem.invalidProduct") };
    case "invalid_token":
      return { text: t("problem.invalidToken") };
    case "already_verified":
      return { text: t("problem.alreadyVerified") };
    case "invalid_workflow":
      return { text: t("problem.invalidWorkflow") };
    case "workflow_node_forbidden":
      return { text: problem.nodeType ? t("problem.workflowNodeForbiddenType", { node: problem.nodeType }) : t("problem.workflowNodeForbidden") };
    case "workflow_too_large":
      return { text: t("problem.workflowTooLarge") };
    case "invalid_workflow_input":
      return { text: t("problem.invalidWorkflowInput") };
    case "unknown_workflow_model":
      return { text: t("problem.unknownWorkflowModel") };
    case "workflow_not_found":
      return { text: t("problem.workflowNotFound") };
    case "workflow_needs_gpu_worker":
      return { text: t("problem.workflowNeedsGpuWorker") };
    case "lora_not_found":
      return { text: t("problem.loraNotFound") };
    case "lora_family_mismatch":
      return { text: t("problem.loraFamilyMismatch") };
    case "lora_in_use":
      return { text: t("problem.loraInUse") };
    case "control_unsupported":
      return { text: t("problem.controlUnsupported") };
    case "invalid_safetensors":
      return { text: t("problem.invalidSafetensors") };
    case "not_a_lora":
      return { text: t("problem.notALora") };
    case "unknown_lora_family":
      return { text: t("problem.unknownLoraFamily") };
    case "file_too_large":
      return { text: t("problem.fileTooLarge") };
    case "folder_not_found":
      return { text: t("gallery.problemFolderNotFound") };
    case "folder_name_taken":
      return { text: t("gallery.problemFolderNameTaken") };
    case "folder_too_deep":
      return { text: t("gallery.problemFolderTooDeep") };
    case "folder_limit":
      return { text: t("gallery.problemFolderLimit") };
    case "image_not_found":
      return { text: t("gallery.problemImageNotFound") };
    case "tag_not_found":
      return { text: t("gallery.problemTagNotFound") };
    default:
      return { text: t("problem.generic") };
  }
}

/** A field's error under its input: the server's words in English, a translated hint otherwise. */
export function fieldErrorText(locale: Locale, messages: string[] | undefined): string | null {
  if (!messages || messages.length === 0) {
    return null;
  }
  return locale === "en" ? messages.join(" ") : translate(locale, "problem.fieldInvalid");
}
