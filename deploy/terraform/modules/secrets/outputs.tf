output "secret_arns" {
  description = "app and keda → secret ARN."
  value       = { app = aws_secretsmanager_secret.app.arn, keda = aws_secretsmanager_secret.keda.arn }
}

output "secret_names" {
  description = "app and keda → secret name (the remoteRef key of the pingvas-app and pingvas-keda ExternalSecrets)."
  value       = { app = aws_secretsmanager_secret.app.name, keda = aws_secretsmanager_secret.keda.name }
}

output "kms_key_arn" {
  value = aws_kms_key.secrets.arn
}
