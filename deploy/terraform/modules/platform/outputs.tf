output "region" {
  value = data.aws_region.current.name
}

output "cluster_name" {
  value = module.eks.cluster_name
}

output "cluster_endpoint" {
  value = module.eks.cluster_endpoint
}

output "gpu_node_groups" {
  value = module.eks.gpu_node_groups
}

output "server_role_arn" {
  description = "Annotate the API and worker service accounts: eks.amazonaws.com/role-arn."
  value       = module.server_irsa.role_arn
}

output "external_secrets_role_arn" {
  description = "Annotate the External Secrets Operator's service account: eks.amazonaws.com/role-arn."
  value       = module.external_secrets_irsa.role_arn
}

output "cluster_autoscaler_role_arn" {
  description = "Annotate kube-system/cluster-autoscaler: eks.amazonaws.com/role-arn."
  value       = module.eks.cluster_autoscaler_role_arn
}

output "database_endpoint" {
  description = "host:port of RDS; ConnectionStrings__Database (a secret) is built on it out of band."
  value       = module.database.endpoint
}

output "database_name" {
  value = module.database.database_name
}

output "database_master_secret_arn" {
  description = "RDS-managed master credentials: only for creating the application role out of band."
  value       = module.database.master_user_secret_arn
}

output "bucket_name" {
  value = module.storage.bucket_name
}

output "cloudfront_domain_name" {
  value = module.storage.cloudfront_domain_name
}

output "cloudfront_key_pair_id" {
  value = module.storage.cloudfront_key_pair_id
}

output "secret_names" {
  description = "app and keda → Secrets Manager secret name (the ExternalSecrets' remoteRef keys)."
  value       = module.secrets.secret_names
}

output "secrets_kms_key_arn" {
  value = module.secrets.kms_key_arn
}

# Non-secret server settings for the Kubernetes ConfigMap (README "Configuration").
output "server_environment" {
  description = "Plain (non-secret) environment for the API and worker containers."
  value = {
    Database__Provider      = "postgres"
    Storage__Provider       = "s3"
    Storage__S3__Bucket     = module.storage.bucket_name
    Storage__S3__Region     = data.aws_region.current.name
    Storage__S3__ServiceUrl = "https://s3.${data.aws_region.current.name}.amazonaws.com"
    # Browsers get CloudFront signed URLs (the private key is the secret Storage__CloudFront__PrivateKey);
    # on the first alias when there is one, since its certificate names that host.
    Storage__CloudFront__Domain    = length(var.cloudfront_aliases) > 0 ? var.cloudfront_aliases[0] : module.storage.cloudfront_domain_name
    Storage__CloudFront__KeyPairId = module.storage.cloudfront_key_pair_id
  }
}
