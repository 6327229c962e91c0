# One Pingvas environment on AWS: network, EKS, RDS, the object bucket behind CloudFront, Secrets
# Manager entries, and the IRSA roles the pods use. environments/dev and environments/prod call this
# module with their own sizes and safety switches.

data "aws_region" "current" {}

locals {
  cluster_name = var.name

  # The server's secret settings (README "Configuration"): each is one property of the JSON secret
  # pingvas/<env>/app and, through the pingvas-app ExternalSecret, the environment variable of the same name.
  secret_settings = [
    "Auth__SigningKey",
    "ConnectionStrings__Database",
    "Bootstrap__AdminPassword",
    "Email__Smtp__User",
    "Email__Smtp__Password",
    "Billing__LemonSqueezy__ApiKey",
    "Billing__LemonSqueezy__SigningSecret",
    "Billing__Stripe__SecretKey",
    "Billing__Stripe__WebhookSecret",
    "Auth__Google__ClientSecret",
    "Auth__Discord__ClientSecret",
    "Engines__Relay__Gemini__ApiKey",
    "Engines__Relay__Stability__ApiKey",
    "Engines__Relay__Replicate__ApiKey",
    # The CloudFront signing key pair's private half (PEM); its public half is cloudfront_public_key_pem.
    "Storage__CloudFront__PrivateKey",
  ]
}

module "network" {
  source              = "../network"
  name                = var.name
  cluster_name        = local.cluster_name
  cidr_block          = var.vpc_cidr
  az_count            = var.az_count
  single_nat_gateway  = var.single_nat_gateway
  interface_endpoints = var.interface_endpoints
  tags                = var.tags
}

module "eks" {
  source               = "../eks"
  cluster_name         = local.cluster_name
  kubernetes_version   = var.kubernetes_version
  vpc_id               = module.network.vpc_id
  private_subnet_ids   = module.network.private_subnet_ids
  api_public_cidrs     = var.api_public_cidrs
  admin_principal_arns = var.admin_principal_arns
  system_node_group    = var.system_node_group
  gpu_node_groups      = var.gpu_node_groups
  tags                 = var.tags
}

module "database" {
  source                    = "../database"
  name                      = var.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.database_subnet_ids
  client_security_group_ids = [module.eks.cluster_security_group_id]
  instance_class            = var.db_instance_class
  allocated_storage_gb      = var.db_allocated_storage_gb
  max_allocated_storage_gb  = var.db_max_allocated_storage_gb
  multi_az                  = var.db_multi_az
  deletion_protection       = var.db_deletion_protection
  backup_retention_days     = var.db_backup_retention_days
  max_connections           = var.db_max_connections
  tags                      = var.tags
}

module "storage" {
  source                     = "../storage"
  bucket_name                = var.bucket_name
  force_destroy              = var.bucket_force_destroy
  transition_days            = 90
  transition_storage_class   = "INTELLIGENT_TIERING"
  noncurrent_expiration_days = 30
  cloudfront_public_key_pem  = var.cloudfront_public_key_pem
  cloudfront_aliases         = var.cloudfront_aliases
  cloudfront_certificate_arn = var.cloudfront_certificate_arn
  tags                       = var.tags
}

module "secrets" {
  source               = "../secrets"
  prefix               = "pingvas/${var.environment}"
  settings             = local.secret_settings
  recovery_window_days = var.secret_recovery_window_days
  tags                 = var.tags
}

# The server (api and worker roles): read/write/delete/list in its own bucket and use the bucket's
# KMS key — nothing else. Storage__S3__AccessKey/SecretKey stay unset; the AWS SDK's default chain
# picks up the IRSA web identity token.
data "aws_iam_policy_document" "server" {
  statement {
    sid       = "ListOwnBucket"
    actions   = ["s3:ListBucket"]
    resources = [module.storage.bucket_arn]
  }
  statement {
    sid       = "ObjectsInOwnBucket"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${module.storage.bucket_arn}/*"]
  }
  statement {
    sid       = "BucketKey"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [module.storage.kms_key_arn]
  }
}

module "server_irsa" {
  source            = "../irsa"
  name              = "${var.name}-server"
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  namespace         = var.app_namespace
  service_accounts  = var.server_service_accounts
  policy_json       = data.aws_iam_policy_document.server.json
  tags              = var.tags
}

# The External Secrets Operator: read exactly this environment's application secrets.
data "aws_iam_policy_document" "external_secrets" {
  statement {
    sid       = "ReadAppSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = values(module.secrets.secret_arns)
  }
  statement {
    sid       = "DecryptAppSecrets"
    actions   = ["kms:Decrypt"]
    resources = [module.secrets.kms_key_arn]
  }
}

module "external_secrets_irsa" {
  source            = "../irsa"
  name              = "${var.name}-external-secrets"
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  namespace         = var.eso_namespace
  service_accounts  = [var.eso_service_account]
  policy_json       = data.aws_iam_policy_document.external_secrets.json
  tags              = var.tags
}
