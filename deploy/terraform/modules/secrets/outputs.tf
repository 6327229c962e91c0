output "secret_arns" {
  description = "Setting (environment variable) → secret ARN."
  value       = { for k, s in aws_secretsmanager_secret.setting : k => s.arn }
}

output "secret_names" {
  description = "Setting (environment variable) → secret name (the remoteRef key of an ExternalSecret)."
  value       = { for k, s in aws_secretsmanager_secret.setting : k => s.name }
}

output "kms_key_arn" {
  value = aws_kms_key.secrets.arn
}
