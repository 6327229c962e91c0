# Secrets Manager entries for the server's secret settings, one per setting, named
# <prefix>/<Section__Key> so the External Secrets Operator maps each to the environment variable of
# the same name. Terraform creates names, encryption and access only: there is deliberately no
# aws_secretsmanager_secret_version here, so no secret value ever enters code, plans or state.
# Values are put out of band (docs/operations.md "AWS with Terraform").

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

resource "aws_secretsmanager_secret" "setting" {
  for_each                = toset(var.settings)
  name                    = "${var.prefix}/${each.value}"
  description             = "Pingvas setting ${each.value} (value set out of band)"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = merge(var.tags, { "pingvas.io/setting" = each.value })
}
