// Two-step sign-in helpers: the manual key in groups, the recovery codes as a file, code checks.

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP": easier to type into an authenticator by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, "").match(/.{1,4}/g)?.join(" ") ?? "";
}

/** Digits only, at most six: what the code box keeps of what was typed or pasted. */
export function cleanCode(typed: string): string {
  return typed.replace(/\D/g, "").slice(0, 6);
}

/** A recovery code as typed: upper case, spaces dropped (the server's form is XXXXX-XXXXX). */
export function cleanRecoveryCode(typed: string): string {
  return typed.trim().replace(/\s+/g, "").toUpperCase();
}

/** The text of the downloadable recovery codes file. */
export function recoveryFile(title: string, email: string, codes: readonly string[]): string {
  return [title, email, "", ...codes, ""].join("\n");
}
