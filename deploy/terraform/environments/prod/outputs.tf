# Everything the Kubernetes manifests (deploy/kubernetes overlays) need; none of it is secret.

output "region" {
  value = module.platform.region
}

output "cluster_name" {
  value = module.platform.cluster_name
}

output "cluster_endpoint" {
  value = module.platform.cluster_endpoint
}

output "gpu_node_groups" {
  value = module.platform.gpu_node_groups
}

output "server_role_arn" {
  value = module.platform.server_role_arn
}

output "external_secrets_role_arn" {
  value = module.platform.external_secrets_role_arn
}

output "cluster_autoscaler_role_arn" {
  value = module.platform.cluster_autoscaler_role_arn
}

output "database_endpoint" {
  value = module.platform.database_endpoint
}

output "database_name" {
  value = module.platform.database_name
}

output "database_master_secret_arn" {
  value = module.platform.database_master_secret_arn
}

output "bucket_name" {
  value = module.platform.bucket_name
}

output "cloudfront_domain_name" {
  value = module.platform.cloudfront_domain_name
}

output "cloudfront_key_pair_id" {
  value = module.platform.cloudfront_key_pair_id
}

output "secret_names" {
  value = module.platform.secret_names
}

output "server_environment" {
  value = module.platform.server_environment
}
