# The Secrets Manager entries the cluster reads (deploy/k8s/base/secrets.yaml): <prefix>/app, one JSON
# object with a property per secret server setting (named as its environment variable, Section__Key),
# which the pingvas-app ExternalSecret turns into environment variables; and <prefix>/keda, the
# read-only connection string of KEDA's queue-depth query. Terraform creates names, encryption and
# access only: there is deliberately no aws_secretsmanager_secret_version here, so no secret value
# ever enters code, plans or state. Values are put out of band (docs/operations.md "AWS with Terraform").

resource "aws_kms_key" "secrets" {
  description             = "${var.prefix}: application secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/${replace(var.prefix, "/", "-")}-secrets"
  target_key_id = aws_kms_key.secrets.key_id
}

resource "aws_secretsmanager_secret" "app" {
  name                    = "${var.prefix}/app"
  description             = "Pingvas server settings, one JSON property each (values set out of band): ${join(", ", var.settings)}"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = merge(var.tags, { "pingvas.io/secret" = "app" })
}

resource "aws_secretsmanager_secret" "keda" {
  name                    = "${var.prefix}/keda"
  description             = "KEDA's read-only queue-depth connection string, JSON property \"connection\" (value set out of band)"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = merge(var.tags, { "pingvas.io/secret" = "keda" })
}
